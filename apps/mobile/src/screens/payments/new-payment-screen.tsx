import { newIdempotencyKey } from '@nextgen/api-client';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { problemDetail } from '../../api/errors';
import { useLocale } from '../../i18n/provider';
import { useAccounts } from '../../queries/accounts';
import { usePayees } from '../../queries/payees';
import { DataAge, Screen, type ScreenState } from '../../ui';
import {
  emptyDraft,
  type FieldErrors,
  type PaymentDraft,
  type ReviewedPayment,
  reviewDraft,
  usableAccounts,
} from './payment-draft';
import { PaymentForm } from './payment-form';
import { type PaymentOutcome, PaymentResult } from './payment-result';
import { PaymentReview } from './payment-review';

export interface NewPaymentScreenProps {
  /** The account to pay from, preselected (e.g. from an account's detail). */
  readonly fromAccountId?: string;
  readonly onDone: () => void;
  readonly onOpenTransfer: (id: string) => void;
}

type Step =
  | { readonly kind: 'form'; readonly errors: FieldErrors; readonly problem?: string }
  | { readonly kind: 'review'; readonly payment: ReviewedPayment; readonly idempotencyKey: string }
  | { readonly kind: 'result'; readonly outcome: PaymentOutcome };

/** A payment in three steps: the form, the review (submitted here, with step-up), the result. */
export function NewPaymentScreen({ fromAccountId, onDone, onOpenTransfer }: NewPaymentScreenProps) {
  const { t } = useTranslation();
  const locale = useLocale();
  const accounts = useAccounts();
  const payees = usePayees();
  const [edited, setEdited] = useState<PaymentDraft | undefined>();
  const [step, setStep] = useState<Step>({ kind: 'form', errors: {} });
  // The key of a submission that got no definite answer, with the order it carried: reviewing the
  // same order again must send the same key, or a payment that did go through would go twice.
  const unanswered = useRef<{ readonly key: string; readonly order: string } | undefined>(undefined);

  const usable = usableAccounts(accounts.data ?? []);
  const preselected = usable.find((a) => a.id === fromAccountId)?.id ?? usable[0]?.id ?? '';
  const draft = edited ?? emptyDraft(preselected);
  const payeeList = payees.data ?? [];

  const review = () => {
    const checked = reviewDraft(draft, usable, payeeList, locale, t);
    if (!checked.ok) return setStep({ kind: 'form', errors: checked.errors });
    const order = JSON.stringify(checked.payment.order);
    const idempotencyKey = unanswered.current?.order === order ? unanswered.current.key : newIdempotencyKey();
    setStep({ kind: 'review', payment: checked.payment, idempotencyKey });
  };

  // Offline with no payees loaded yet, the query is paused: own accounts can still be chosen.
  const payeesWaiting = payees.isPending && payees.fetchStatus !== 'paused';
  const state: ScreenState =
    accounts.isPending || payeesWaiting
      ? { status: 'loading' }
      : accounts.isError || payees.isError
        ? {
            status: 'error',
            detail: problemDetail(accounts.error ?? payees.error, t),
            onRetry: () => {
              void accounts.refetch();
              void payees.refetch();
            },
          }
        : usable.length === 0
          ? { status: 'empty', message: t('payments.new.noAccounts') }
          : { status: 'ready' };

  return (
    <Screen title={t('payments.new.title')} state={state} testID="new-payment-screen">
      {step.kind === 'form' ? (
        <>
          <DataAge updatedAt={accounts.dataUpdatedAt} />
          <PaymentForm
            accounts={usable}
            payees={payeeList}
            draft={draft}
            onChange={setEdited}
            errors={step.errors}
            problem={step.problem}
            onContinue={review}
          />
        </>
      ) : step.kind === 'review' ? (
        <PaymentReview
          payment={step.payment}
          idempotencyKey={step.idempotencyKey}
          onEdit={() => setStep({ kind: 'form', errors: {} })}
          onAnswered={(transfer) => {
            unanswered.current = undefined;
            setStep({ kind: 'result', outcome: { kind: 'answered', transfer, toName: step.payment.to.name } });
          }}
          onDeclined={(detail) => {
            unanswered.current = undefined;
            setStep({ kind: 'result', outcome: { kind: 'declined', detail } });
          }}
          onFieldProblem={(errors, problem) => {
            unanswered.current = undefined;
            setStep({ kind: 'form', errors, problem });
          }}
          onFailed={(uncertain) => {
            unanswered.current = uncertain
              ? { key: step.idempotencyKey, order: JSON.stringify(step.payment.order) }
              : undefined;
          }}
        />
      ) : (
        <PaymentResult outcome={step.outcome} onOpenTransfer={onOpenTransfer} onDone={onDone} />
      )}
    </Screen>
  );
}
