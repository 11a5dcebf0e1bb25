/**
 * "Are you sure?" before what cannot be undone (revoking a passkey, signing a device out, signing
 * out). A modal of our own rather than Alert.alert: react-native-web has no Alert, and the same
 * dialog then reads alike to screen readers on every platform.
 */
import { Modal, StyleSheet, View } from 'react-native';
import { useTheme } from '../../theme';
import { Button, Text } from '../../ui';

export interface ConfirmDialogProps {
  readonly title: string;
  readonly message: string;
  readonly confirmLabel: string;
  readonly cancelLabel: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

export function ConfirmDialog({ title, message, confirmLabel, cancelLabel, onConfirm, onCancel }: ConfirmDialogProps) {
  const theme = useTheme();
  return (
    <Modal transparent animationType="fade" visible onRequestClose={onCancel}>
      <View style={[styles.backdrop, { backgroundColor: theme.colors.backdrop }]}>
        <View
          testID="confirm-dialog"
          role="alertdialog"
          aria-modal
          aria-label={title}
          style={[styles.sheet, { backgroundColor: theme.colors.surface, padding: theme.spacing * 2 }]}
        >
          <Text variant="heading">{title}</Text>
          <Text>{message}</Text>
          <Button label={confirmLabel} onPress={onConfirm} testID="confirm-accept" />
          <Button label={cancelLabel} variant="secondary" onPress={onCancel} testID="confirm-cancel" />
        </View>
      </View>
    </Modal>
  );
}

const styles = StyleSheet.create({
  backdrop: { flex: 1, justifyContent: 'center', padding: 16 },
  sheet: { borderRadius: 12, gap: 12, maxWidth: 480, width: '100%', alignSelf: 'center' },
});
