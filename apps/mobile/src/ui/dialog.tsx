import type { ReactNode } from 'react';
import { Modal, StyleSheet, View } from 'react-native';
import { useTheme } from '../theme';

export interface DialogProps {
  /** The dialog's accessible name (its heading's text). */
  readonly label: string;
  /** `alertdialog` for "are you sure?", `dialog` for a task such as a passkey approval. */
  readonly role?: 'dialog' | 'alertdialog';
  /** The system back gesture or Escape: the same as the dialog's cancel button. */
  readonly onRequestClose: () => void;
  readonly testID?: string;
  readonly children: ReactNode;
}

/**
 * A modal sheet over a dimmed screen, of our own rather than Alert.alert (react-native-web has no
 * Alert): one shape for confirmations and approvals, announced as a modal dialog everywhere.
 */
export function Dialog({ label, role = 'dialog', onRequestClose, testID, children }: DialogProps) {
  const theme = useTheme();
  return (
    // On the web the Modal is itself a modal dialog (react-native-web): it carries the name too
    // (axe: aria-dialog-name); the sheet inside names the dialog on iOS and Android.
    <Modal transparent animationType="fade" visible onRequestClose={onRequestClose} aria-label={label}>
      <View style={[styles.backdrop, { backgroundColor: theme.colors.backdrop }]}>
        <View
          testID={testID}
          role={role}
          aria-modal
          aria-label={label}
          style={[styles.sheet, { backgroundColor: theme.colors.surface, padding: theme.spacing * 2 }]}
        >
          {children}
        </View>
      </View>
    </Modal>
  );
}

const styles = StyleSheet.create({
  backdrop: { flex: 1, justifyContent: 'center', padding: 16 },
  sheet: { borderRadius: 12, gap: 12, maxWidth: 480, width: '100%', alignSelf: 'center' },
});
