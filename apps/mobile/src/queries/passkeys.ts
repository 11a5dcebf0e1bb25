/**
 * Passkeys (docs/api/authentication.md, "Passkeys"; ADR 0013): the list, adding one (options from
 * the API → the device's ceremony → its answer back to the API), renaming and revoking. Adding
 * needs strong authentication: an existing passkey's approval (step-up) once you hold one, a
 * recent sign-in for your first; revoking needs a recent sign-in.
 */
import type { paths } from '@nextgen/api-client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useApi } from '../api/context';
import { isPasskeyCancelled, usePasskeys } from '../passkeys';
import type { ApprovalSummary, StepUpApproval } from '../step-up';
import { useRecentSignIn } from './sessions';

export type Passkey = paths['/api/v1/passkeys']['get']['responses'][200]['content']['application/json']['data'][number];
type RegistrationBody = NonNullable<
  paths['/api/v1/passkeys/registration-options']['post']['requestBody']
>['content']['application/json'];
type Credential = paths['/api/v1/passkeys']['post']['requestBody']['content']['application/json']['credential'];

/** `withStepUp` of `useStepUp()`: the screen owns the approval sheet, the mutation uses it. */
export type WithStepUp = <T>(call: (stepUp?: StepUpApproval) => Promise<T>, summary: ApprovalSummary) => Promise<T>;

/** The device made no passkey: the person cancelled the ceremony, or the platform answered nothing. */
export class NoPasskeyCreated extends Error {
  constructor() {
    super('No passkey was created.');
    this.name = 'NoPasskeyCreated';
  }
}

/** The device's ceremony failed for another reason (the platform's own message, in its language). */
export class PasskeyCeremonyFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PasskeyCeremonyFailed';
  }
}

export const passkeyKeys = {
  all: ['passkeys'] as const,
  list: () => [...passkeyKeys.all, 'list'] as const,
};

/** Your active passkeys, newest first: the API holds at most 20 per customer, so one answer has them all. */
export function usePasskeyList() {
  const api = useApi();
  return useQuery({
    queryKey: passkeyKeys.list(),
    queryFn: async ({ signal }) => {
      const { data } = await api.GET('/api/v1/passkeys', { signal });
      return data?.data ?? [];
    },
  });
}

export interface AddPasskey {
  /** Optional: the API names it otherwise. */
  readonly name?: string;
}

export function useAddPasskey(withStepUp: WithStepUp, approval: ApprovalSummary) {
  const api = useApi();
  const passkeys = usePasskeys();
  const recentSignIn = useRecentSignIn();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ name }: AddPasskey) => {
      // First passkey: 401 recent_sign_in_required; any later one: 403 step_up_required.
      const options = await recentSignIn(() =>
        withStepUp(async (stepUp) => {
          // The approval's assertion is the WebAuthn JSON the body names; the cast only says so.
          const body = (stepUp ? { stepUp } : {}) as RegistrationBody;
          const { data } = await api.POST('/api/v1/passkeys/registration-options', { body });
          if (!data) throw new Error('The registration options were empty.');
          return data;
        }, approval),
      );
      const credential = await createCredential(passkeys, options);
      const { data } = await api.POST('/api/v1/passkeys', { body: { credential, ...(name ? { name } : {}) } });
      return data;
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: passkeyKeys.all }),
  });
}

async function createCredential(
  passkeys: ReturnType<typeof usePasskeys>,
  options: Readonly<Record<string, unknown>>,
): Promise<Credential> {
  let answer: Readonly<Record<string, unknown>> | null;
  try {
    answer = await passkeys.create(options);
  } catch (error) {
    if (isPasskeyCancelled(error)) throw new NoPasskeyCreated();
    throw new PasskeyCeremonyFailed(error instanceof Error ? error.message : String(error));
  }
  if (!answer) throw new NoPasskeyCreated();
  // The platform answers WebAuthn's RegistrationResponseJSON; the API checks every field of it.
  return answer as unknown as Credential;
}

export function useRenamePasskey() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, name }: { readonly id: string; readonly name: string }) => {
      const { data } = await api.PATCH('/api/v1/passkeys/{id}', { params: { path: { id } }, body: { name } });
      return data;
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: passkeyKeys.all }),
  });
}

/** Revoking is final: the passkey never signs anything again. */
export function useRevokePasskey() {
  const api = useApi();
  const recentSignIn = useRecentSignIn();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      recentSignIn(async () => {
        const { data } = await api.DELETE('/api/v1/passkeys/{id}', { params: { path: { id } } });
        return data;
      }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: passkeyKeys.all }),
  });
}
