import { defaultSettings, parseSettings } from './settings';

describe('stored settings', () => {
  it('reads what was stored', () => {
    expect(parseSettings('{"language":"de","theme":"dark","appLock":"on"}')).toEqual({
      language: 'de',
      theme: 'dark',
      appLock: 'on',
    });
  });
  it('falls back field by field on unknown or damaged values', () => {
    expect(parseSettings('{"language":"fr","theme":"dark","appLock":1}')).toEqual({
      ...defaultSettings,
      theme: 'dark',
    });
    expect(parseSettings('not json')).toEqual(defaultSettings);
    expect(parseSettings(null)).toEqual(defaultSettings);
  });
});
