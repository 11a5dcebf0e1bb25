/**
 * Step-up: the API answers `403 step_up_required` with a WebAuthn challenge when an action needs
 * the customer's approval (a payment over the threshold, a new payee, revealing an IBAN, another
 * passkey). The app shows what is being approved, signs the challenge with a passkey and sends the
 * same request again with `{ stepUp: { challengeId, assertion } }`. For a money movement "the same
 * request" includes its Idempotency-Key: the caller keeps it in the mutation's variables, so the
 * resubmission cannot move money twice.
 *
 *   const { withStepUp, sheet } = useStepUp();
 *   mutationFn: (v) => withStepUp((stepUp) => api.POST(path, { …, body: { ...v.body, stepUp } }), summary)
 *   …render {sheet} in the screen.
 *
 * Cancelling rejects with StepUpCancelled (nothing was done; the screen says so). The biometric
 * app lock plays no part here: every approval is a passkey assertion the server checks.
 */
import { ApiProblem, type StepUpChallenge } from '@nextgen/api-client';
import { useCallback, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { StyleSheet, View } from 'react-native';
import { isPasskeyCancelled, usePasskeys } from '../passkeys';
import { Banner, Button, Dialog, Text } from '../ui';

/** What the sheet lists, e.g. [{ label: 'Amount', value: '€1,200.00' }, { label: 'To', value: 'Jane Doe' }]. */
export interface ApprovalSummary {
  readonly lines: readonly { readonly label: string; readonly value: string }[];
}

/** The body field an approved resubmission carries. */
export interface StepUpApproval {
  readonly challengeId: string;
  readonly assertion: Readonly<Record<string, unknown>>;
}

export class StepUpCancelled extends Error {
  constructor() {
    super('The approval was cancelled.');
    this.name = 'StepUpCancelled';
  }
}

interface Pending {
  readonly challenge: StepUpChallenge;
  readonly summary: ApprovalSummary;
  readonly resolve: (approval: StepUpApproval) => void;
  readonly reject: (error: Error) => void;
}

export function useStepUp() {
  const [pending, setPending] = useState<Pending | undefined>();
  const pendingRef = useRef<Pending | undefined>(undefined);

  const ask = useCallback(
    (challenge: StepUpChallenge, summary: ApprovalSummary) =>
      new Promise<StepUpApproval>((resolve, reject) => {
        const next: Pending = {
          challenge,
          summary,
          resolve: (approval) => {
            pendingRef.current = undefined;
            setPending(undefined);
            resolve(approval);
          },
          reject: (error) => {
            pendingRef.current = undefined;
            setPending(undefined);
            reject(error);
          },
        };
        pendingRef.current?.reject(new StepUpCancelled());
        pendingRef.current = next;
        setPending(next);
      }),
    [],
  );

  /** Runs `call`; when it answers step_up_required, asks for approval and runs it again with it. */
  const withStepUp = useCallback(
    async <T,>(call: (stepUp?: StepUpApproval) => Promise<T>, summary: ApprovalSummary): Promise<T> => {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof ApiProblem) || error.code !== 'step_up_required' || !error.stepUp) throw error;
        return call(await ask(error.stepUp, summary));
      }
    },
    [ask],
  );

  const sheet = pending ? <StepUpSheet key={pending.challenge.challengeId} pending={pending} /> : null;
  return { withStepUp, sheet };
}

function StepUpSheet({ pending }: { readonly pending: Pending }) {
  const { t } = useTranslation();
  const passkeys = usePasskeys();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();

  const approve = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const assertion = await passkeys.get(pending.challenge.publicKey);
      if (!assertion) {
        setProblem(t('stepUp.noPasskey'));
        return;
      }
      pending.resolve({ challengeId: pending.challenge.challengeId, assertion });
    } catch (error) {
      setProblem(
        isPasskeyCancelled(error)
          ? t('stepUp.cancelled')
          : t('stepUp.failed', { detail: error instanceof Error ? error.message : String(error) }),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      testID="step-up-sheet"
      label={t('stepUp.title')}
      onRequestClose={() => pending.reject(new StepUpCancelled())}
    >
      <Text variant="heading">{t('stepUp.title')}</Text>
      <Text muted>{t('stepUp.intro')}</Text>
      <View style={styles.lines}>
        {pending.summary.lines.map((line) => (
          <View key={line.label} style={styles.line} accessible accessibilityLabel={`${line.label}: ${line.value}`}>
            <Text muted>{line.label}</Text>
            <Text style={styles.value}>{line.value}</Text>
          </View>
        ))}
      </View>
      {problem ? <Banner tone="danger" message={problem} testID="step-up-problem" /> : null}
      <Button label={t('stepUp.approve')} onPress={approve} busy={busy} testID="step-up-approve" />
      <Button
        label={t('stepUp.cancel')}
        variant="secondary"
        disabled={busy}
        onPress={() => pending.reject(new StepUpCancelled())}
        testID="step-up-cancel"
      />
    </Dialog>
  );
}

const styles = StyleSheet.create({
  lines: { gap: 8 },
  line: { flexDirection: 'row', justifyContent: 'space-between', gap: 12, flexWrap: 'wrap' },
  value: { fontWeight: '600' },
});
