import { useTranslation } from 'react-i18next';
import { Pressable } from 'react-native';
import { useKyc } from '../../queries/kyc';
import { Banner } from '../../ui';

/**
 * Above the signed-in tabs while the customer cannot move money yet: nothing submitted, or a
 * rejection they may answer with new details. Pressing it opens the verification.
 */
export function KycBanner({ onOpen }: { readonly onOpen: () => void }) {
  const { t } = useTranslation();
  const kyc = useKyc();
  const status = kyc.data?.status;
  const actionable = status === 'none' || (status === 'rejected' && kyc.data?.rejectionReason !== 'not_eligible');
  if (!actionable) return null;
  return (
    <Pressable testID="kyc-banner" role="link" accessibilityLabel={t('session.kyc.gate')} onPress={onOpen}>
      <Banner message={t('session.kyc.gate')} />
    </Pressable>
  );
}
