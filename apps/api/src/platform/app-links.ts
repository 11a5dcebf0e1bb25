import type { FastifyInstance } from 'fastify';
import type { AppLinksConfig } from './config.ts';
import { appAssociationMaxAgeS } from './constants.ts';

/**
 * The association files that let the native apps use this domain's passkeys and open its https
 * links (ADR 0116):
 * - `/.well-known/apple-app-site-association`: JSON without an extension, served as application/json
 *   (Apple's CDN fetches it without redirects). `webcredentials` for passkeys, `applinks` for links,
 *   excluding the API's and the authorization server's paths so sign-in pages stay in the browser.
 * - `/.well-known/assetlinks.json`: Digital Asset Links for Android app links and Credential Manager
 *   passkeys (`get_login_creds`).
 * Each is registered only when its settings are given; otherwise the path answers the API's 404.
 */

export function appleAppSiteAssociation(iosAppIds: readonly string[]) {
  const excluded = ['/api/*', '/oidc/*', '/backoffice/*', '/docs*', '/.well-known/*'];
  return {
    applinks: {
      details: [
        {
          appIDs: iosAppIds,
          components: [...excluded.map((path) => ({ '/': path, exclude: true })), { '/': '/*' }],
        },
      ],
    },
    webcredentials: { apps: iosAppIds },
  };
}

export function assetLinks(android: NonNullable<AppLinksConfig['android']>) {
  return [
    {
      relation: ['delegate_permission/common.handle_all_urls', 'delegate_permission/common.get_login_creds'],
      target: {
        namespace: 'android_app',
        package_name: android.packageName,
        sha256_cert_fingerprints: android.certSha256,
      },
    },
  ];
}

export async function appLinksRoutes(app: FastifyInstance, options: { appLinks: AppLinksConfig }) {
  const { iosAppIds, android } = options.appLinks;
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', `public, max-age=${appAssociationMaxAgeS}`);
  });
  if (iosAppIds.length > 0) {
    const body = JSON.stringify(appleAppSiteAssociation(iosAppIds));
    app.get('/.well-known/apple-app-site-association', { schema: { hide: true } }, (_request, reply) =>
      reply.type('application/json').send(body),
    );
  }
  if (android) {
    const body = JSON.stringify(assetLinks(android));
    app.get('/.well-known/assetlinks.json', { schema: { hide: true } }, (_request, reply) =>
      reply.type('application/json').send(body),
    );
  }
}
