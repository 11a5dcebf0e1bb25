/**
 * "Are you sure?" before what cannot be undone (revoking a passkey, signing a device out, signing
 * out), on the kit's Dialog.
 */
import { Button, Dialog, Text } from '../../ui';

export interface ConfirmDialogProps {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  readonly cancelLabel: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

export function ConfirmDialog({ title, message, confirmLabel, cancelLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  return (
    <Dialog testID="confirm-dialog" role="alertdialog" label={title} onRequestClose={onCancel}>
      <Text variant="heading">{title}</Text>
      <Text>{message}</Text>
      <Button label={confirmLabel} onPress={onConfirm} testID="confirm-accept" />
      <Button label={cancelLabel} variant="secondary" onPress={onCancel} testID="confirm-cancel" />
    </Dialog>
  );
}
