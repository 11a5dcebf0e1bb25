import { safeReturnPath } from './device-types';

describe('safeReturnPath', () => {
  it('keeps a path inside the app, with its query', () => {
    expect(safeReturnPath('/home/accounts/acc_1')).toBe('/home/accounts/acc_1');
    expect(safeReturnPath('/payments/new?fromAccountId=acc_1')).toBe('/payments/new?fromAccountId=acc_1');
  });

  it.each([
    ['nothing', undefined],
    ['empty', ''],
    ['another origin', 'https://evil.example/'],
    ['a protocol-relative URL', '//evil.example/home'],
    ['a backslash browsers read as a slash', '/\\evil.example'],
    ['a scheme', 'javascript:alert(1)'],
    ['a control character', '/\t/evil.example'],
  ])('sends %s to the accounts instead', (_what, path) => {
    expect(safeReturnPath(path)).toBe('/home');
  });
});
