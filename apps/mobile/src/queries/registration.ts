/**
 * Registration (docs/api/authentication.md): `POST /api/v1/customers` without a token. The answer
 * is the new customer; signing in is a separate step through the authorization server.
 */
import type { paths } from '@nextgen/api-client';
import { useMutation } from '@tanstack/react-query';
import { useApi } from '../api/context';

export type Registration = paths['/api/v1/customers']['post']['requestBody']['content']['application/json'];
export type RegisteredCustomer = paths['/api/v1/customers']['post']['responses'][201]['content']['application/json'];

export function useRegister() {
  const api = useApi();
  return useMutation({
    mutationFn: async (registration: Registration): Promise<RegisteredCustomer> => {
      const { data } = await api.POST('/api/v1/customers', { body: registration });
      if (!data) throw new Error('The registration answer was empty.');
      return data;
    },
  });
}
