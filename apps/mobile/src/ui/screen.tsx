import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ActivityIndicator, ScrollView, StyleSheet, View } from 'react-native';
import { useOnline } from '../state/network';
import { useTheme } from '../theme';
import { Banner } from './banner';
import { Button } from './button';
import { Text } from './text';

/** What a screen is showing: every screen that loads data passes through loading, error, empty or ready. */
export type ScreenState =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly detail: string; readonly onRetry?: () => void }
  | { readonly status: 'empty'; readonly message?: string }
  | { readonly status: 'ready' };

export interface ScreenProps {
  readonly title: string;
  readonly state?: ScreenState;
  readonly children?: ReactNode;
  readonly testID?: string;
}

/** A scrolling screen with a heading and one of the four states; its children show only when ready. */
export function Screen({ title, state = { status: 'ready' }, children, testID }: ScreenProps) {
  const theme = useTheme();
  const { t } = useTranslation();
  const online = useOnline();
  return (
    <ScrollView
      testID={testID}
      // The screen's content is the page's main landmark on the web (axe: region, landmark-one-main).
      role="main"
      // A keyboard can scroll it even where it holds nothing to tab to (axe: scrollable-region-focusable).
      focusable
      style={{ backgroundColor: theme.colors.background }}
      contentContainerStyle={[styles.content, { padding: theme.spacing * 2 }]}
    >
      <Text variant="title">{title}</Text>
      {state.status === 'loading' && !online ? (
        // Offline, a query with nothing cached waits for the network (TanStack Query pauses it):
        // say so instead of spinning forever.
        <Text testID="screen-offline" muted>
          {t('state.offlineLoading')}
        </Text>
      ) : state.status === 'loading' ? (
        <View accessible style={styles.centre} accessibilityLabel={t('state.loading')} role="progressbar" aria-busy>
          <ActivityIndicator color={theme.colors.primary} />
          <Text muted>{t('state.loading')}</Text>
        </View>
      ) : state.status === 'error' ? (
        <View style={styles.gap}>
          <Text variant="heading">{t('state.errorTitle')}</Text>
          <Banner tone="danger" message={state.detail} />
          {state.onRetry ? <Button label={t('state.retry')} onPress={state.onRetry} /> : null}
        </View>
      ) : state.status === 'empty' ? (
        <Text muted>{state.message ?? t('state.empty')}</Text>
      ) : (
        children
      )}
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  content: { gap: 16, flexGrow: 1 },
  centre: { alignItems: 'center', gap: 8, paddingVertical: 24 },
  gap: { gap: 12 },
});
