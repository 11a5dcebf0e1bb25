import { useTranslation } from 'react-i18next';
import { useOnline } from '../state/network';
import { Banner } from './banner';

/** Shown above every screen while the device is offline. */
export function OfflineBanner() {
  const online = useOnline();
  const { t } = useTranslation();
  return online ? null : <Banner testID="offline-banner" message={t('offline.banner')} />;
}
