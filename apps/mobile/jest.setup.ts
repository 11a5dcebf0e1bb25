// AsyncStorage and NetInfo have no native side in Jest: their maintainers ship in-memory mocks.
jest.mock('@react-native-async-storage/async-storage', () =>
  require('@react-native-async-storage/async-storage/jest/async-storage-mock'),
);
jest.mock('@react-native-community/netinfo', () => require('@react-native-community/netinfo/jest/netinfo-mock.js'));
// react-native-passkeys has no native side in Jest either; screens get their authenticator from
// usePasskeys(), which tests fill with fakePasskeys() (src/test-utils.tsx), so this one answers nothing.
jest.mock('react-native-passkeys', () => ({
  isSupported: () => false,
  isAutoFillAvalilable: () => false,
  create: async () => null,
  get: async () => null,
}));
