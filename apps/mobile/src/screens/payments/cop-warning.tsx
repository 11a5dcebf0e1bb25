import { useTranslation } from 'react-i18next';
import type { Confirmation } from '../../queries/payees';
import { Banner, Text } from '../../ui';

/**
 * A saved payee's confirmation of payee result (ADR 0025): the app must warn before paying a close
 * match or a no match; a match or an unchecked name is only noted.
 */
export function CopWarning({ confirmation, name }: { readonly confirmation: Confirmation; readonly name: string }) {
  const { t } = useTranslation();
  if (confirmation === 'close_match') {
    return <Banner testID="cop-close-match" message={t('payments.cop.closeMatchWarning', { name })} />;
  }
  if (confirmation === 'no_match') {
    return <Banner testID="cop-no-match" tone="danger" message={t('payments.cop.noMatchWarning', { name })} />;
  }
  return (
    <Text muted variant="caption" testID={`cop-${confirmation}`}>
      {t(`payments.cop.${confirmation}`)}
    </Text>
  );
}
