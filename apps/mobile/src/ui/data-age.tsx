/**
 * Offline, a screen keeps showing what it last loaded and says how old it is ("Last updated
 * 5 minutes ago"), from TanStack Query's `dataUpdatedAt`. Online it shows nothing.
 */
import { useTranslation } from 'react-i18next';
import { useOnline } from '../state/network';
import { Text } from './text';

export function DataAge({ updatedAt, now = Date.now() }: { readonly updatedAt: number; readonly now?: number }) {
  const { t, i18n } = useTranslation();
  const online = useOnline();
  if (online || updatedAt <= 0) return null;
  const minutes = Math.max(0, Math.round((now - updatedAt) / 60_000));
  const age =
    minutes < 60
      ? new Intl.RelativeTimeFormat(i18n.language, { numeric: 'auto' }).format(-minutes, 'minute')
      : new Intl.RelativeTimeFormat(i18n.language, { numeric: 'auto' }).format(-Math.round(minutes / 60), 'hour');
  return (
    <Text muted variant="caption" testID="data-age">
      {t('offline.lastUpdated', { age })}
    </Text>
  );
}
