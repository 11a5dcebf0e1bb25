import { Type } from 'typebox';
import { requireCustomer, requireRecentSignIn } from '../platform/auth.ts';
import type { Cache } from '../platform/cache.ts';
import {
  addressLineLengthMax,
  emailLengthMax,
  emailTakenPerCustomerMax,
  nameLengthMax,
  passwordInputLengthMax,
  passwordLengthMax,
  passwordLengthMin,
  phoneLengthMax,
  recentSignInMaxAgeS,
  registrationEmailTakenPerIpMax,
  registrationEmailTakenWindowMs,
} from '../platform/constants.ts';
import { customerErased } from '../platform/crypto/index.ts';
import { conflict, DomainError, tooManyRequests } from '../platform/errors.ts';
import { idSchemaPattern } from '../platform/ids.ts';
import { samePersonName } from '../platform/person-names.ts';
import { customerNotFound } from '../platform/problems.ts';
import {
  apiProblems,
  bodyProblems,
  NoQuery,
  printableTextPattern,
  problemResponses,
  signedInProblems,
  Timestamp,
  type TypeBoxApp,
} from '../platform/schemas.ts';
import type { IdentityService } from './service.ts';

/**
 * /api/v1/customers: registration (no token) and the signed-in customer's profile. Name, e-mail,
 * phone and address are stored encrypted under the customer's own data key (platform/crypto).
 */
const line = (example: string) =>
  Type.String({ minLength: 1, maxLength: addressLineLengthMax, pattern: printableTextPattern, example });

export const PostalAddressSchema = Type.Object(
  {
    line1: line('12 Analytical Street'),
    line2: Type.Optional(line('Flat 3')),
    postalCode: line('10115'),
    city: line('Berlin'),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2', example: 'DE' }),
  },
  { additionalProperties: false },
);

const Phone = Type.String({
  pattern: '^\\+[1-9][0-9]{6,14}$',
  maxLength: phoneLengthMax,
  description: 'E.164, e.g. +4930123456',
  example: '+4930123456',
});

export const Customer = Type.Object(
  {
    id: Type.String({ pattern: idSchemaPattern('customer'), example: 'cus_01jf8x3m5n6p7q8r9s0t1v2w3x' }),
    name: Type.String(),
    email: Type.String(),
    phone: Type.Union([Type.String(), Type.Null()]),
    address: Type.Union([PostalAddressSchema, Type.Null()]),
    createdAt: Timestamp,
  },
  { additionalProperties: false },
);

const ProfileChangeBody = Type.Object(
  {
    name: Type.Optional(
      Type.String({ minLength: 1, maxLength: nameLengthMax, pattern: printableTextPattern, example: 'Ada King' }),
    ),
    email: Type.Optional(Type.String({ format: 'email', maxLength: emailLengthMax, example: 'ada@example.com' })),
    phone: Type.Optional(Type.Union([Phone, Type.Null()], { description: 'null removes the phone number' })),
    address: Type.Optional(Type.Union([PostalAddressSchema, Type.Null()], { description: 'null removes the address' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

const RegistrationBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: nameLengthMax,
      pattern: printableTextPattern,
      example: 'Ada Lovelace',
    }),
    email: Type.String({ format: 'email', maxLength: emailLengthMax, example: 'ada@example.com' }),
    password: Type.String({
      minLength: 1,
      maxLength: passwordInputLengthMax,
      description: `${passwordLengthMin} to ${passwordLengthMax} characters, any characters. Refused when common or breached, when it contains your name or e-mail, or when it is repetitive or sequential (\`weak_password\`, with the broken rule in errors[].rule).`,
    }),
  },
  { additionalProperties: false },
);

/**
 * Counts `email_taken` answers (ADR 0013), which tell whether an address is a customer's: per IP
 * address, across registration and profile changes, and per customer for profile changes. Past the
 * maximum in the window every registration or e-mail change from there answers 429, taken or not,
 * so probing cannot go on (issue 12, defect 5: the profile change was an unthrottled probe).
 */
function emailProbeGuard(cache: Cache) {
  const byIp = (ip: string) => ({ key: `registration:email-taken:${ip}`, max: registrationEmailTakenPerIpMax });
  const byCustomer = (customerId: string) => ({
    key: `profile:email-taken:${customerId}`,
    max: emailTakenPerCustomerMax,
  });
  const countersOf = (ip: string, customerId?: string) =>
    customerId ? [byIp(ip), byCustomer(customerId)] : [byIp(ip)];
  return {
    async admit(message: string, ip: string, customerId?: string): Promise<void> {
      for (const { key, max } of countersOf(ip, customerId)) {
        if (Number((await cache.get(key)) ?? 0) < max) continue;
        throw tooManyRequests(message, Math.ceil(registrationEmailTakenWindowMs / 1000));
      }
    },
    async recordTaken(ip: string, customerId?: string): Promise<void> {
      for (const { key } of countersOf(ip, customerId)) await cache.increment(key, registrationEmailTakenWindowMs);
    },
  };
}

const registrationProbeMessage =
  'Too many registrations from your network were for addresses that already have an account. Sign in instead, or try again later.';
const profileProbeMessage =
  'Too many e-mail changes were to addresses that already have an account. Try again in an hour with an address of your own.';

export async function customerRoutes(
  app: TypeBoxApp,
  options: {
    identity: IdentityService;
    cache: Cache;
    /** The name KYC verified (compliance/kyc.ts verifiedName); undefined while not verified. */
    verifiedName: (customerId: string) => Promise<string | undefined>;
  },
) {
  const { identity, verifiedName } = options;
  const probes = emailProbeGuard(options.cache);

  app.post(
    '/customers',
    {
      schema: {
        tags: ['customers'],
        summary: 'Register as a customer',
        description: `Creates a customer who can then sign in through the OAuth authorization server. An e-mail already registered (in any letter case) answers 409 \`email_taken\`; after ${registrationEmailTakenPerIpMax} such answers to one network within an hour, registrations from it answer 429. Signing in never reveals whether an e-mail is registered.`,
        querystring: NoQuery,
        body: RegistrationBody,
        response: { 201: Customer, ...problemResponses(...apiProblems, ...bodyProblems, 409) },
      },
    },
    async (request, reply) => {
      await probes.admit(registrationProbeMessage, request.ip);
      try {
        const customer = await identity.registerCustomer(request.body);
        return reply.code(201).header('location', '/api/v1/customers/me').send(customer);
      } catch (error) {
        if (error instanceof DomainError && error.code === 'email_taken') await probes.recordTaken(request.ip);
        throw error;
      }
    },
  );

  app.get(
    '/customers/me',
    {
      schema: {
        tags: ['customers'],
        summary: 'The signed-in customer',
        security: [{ oauth2: [] }],
        querystring: NoQuery,
        response: { 200: Customer, ...problemResponses(...apiProblems, ...signedInProblems, 404, 410) },
      },
    },
    async (request) => {
      const customerId = requireCustomer(request);
      const customer = await identity.findCustomerById(customerId);
      if (!customer) throw await missingCustomer(identity, customerId);
      return customer;
    },
  );

  app.patch(
    '/customers/me',
    {
      schema: {
        tags: ['customers'],
        summary: 'Change your profile',
        description: `Changes any of name, e-mail, phone and postal address; fields left out stay as they are, \`null\` removes the phone or address. An e-mail another customer has answers 409 \`email_taken\`; after ${emailTakenPerCustomerMax} such answers to one customer (or ${registrationEmailTakenPerIpMax} to one network, registrations included) within an hour, e-mail changes answer 429. Once your identity is verified, your name is the one on your identity document: a change other than its letter case, accents or a title answers 409 \`name_change_needs_review\` (contact support with a document showing the new name). Changing the e-mail (your sign-in name) or phone needs a sign-in from the last ${recentSignInMaxAgeS / 60} minutes (401 \`recent_sign_in_required\` otherwise).`,
        security: [{ oauth2: [] }],
        querystring: NoQuery,
        body: ProfileChangeBody,
        response: {
          200: Customer,
          ...problemResponses(...apiProblems, ...signedInProblems, ...bodyProblems, 404, 409, 410),
        },
      },
    },
    async (request) => {
      // The e-mail signs in and the phone reaches the customer: a stolen token alone must not redirect them.
      const contactChange = request.body.email !== undefined || request.body.phone !== undefined;
      const customerId = contactChange ? requireRecentSignIn(request, recentSignInMaxAgeS) : requireCustomer(request);
      // A verified name is what confirmation of payee answers with (ADR 0077): it changes only through review.
      if (request.body.name !== undefined) {
        const verified = await verifiedName(customerId);
        if (verified !== undefined && !samePersonName(request.body.name, verified))
          throw conflict(
            'name_change_needs_review',
            'Your name is verified against your identity document, so it cannot be changed here. Contact support with a document that shows your new name.',
          );
      }
      if (request.body.email !== undefined) await probes.admit(profileProbeMessage, request.ip, customerId);
      try {
        const customer = await identity.updateProfile(customerId, request.body);
        if (!customer) throw await missingCustomer(identity, customerId);
        return customer;
      } catch (error) {
        if (error instanceof DomainError && error.code === 'email_taken')
          await probes.recordTaken(request.ip, customerId);
        throw error;
      }
    },
  );
}

/** 410 for an erased customer (whose token may live a few more minutes), 404 otherwise. */
export async function missingCustomer(identity: IdentityService, customerId: string) {
  return (await identity.isErased(customerId)) ? customerErased() : customerNotFound('customer');
}
