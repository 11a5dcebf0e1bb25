import { applyScreenPrivacy, type ScreenCaptureModule } from './screen-privacy';

function fakeCapture() {
  const calls: string[] = [];
  const capture: ScreenCaptureModule = {
    preventScreenCaptureAsync: async (key) => {
      calls.push(`prevent:${key}`);
    },
    allowScreenCaptureAsync: async (key) => {
      calls.push(`allow:${key}`);
    },
    enableAppSwitcherProtectionAsync: async (blur) => {
      calls.push(`switcher:${blur}`);
    },
  };
  return { capture, calls };
}

describe('screen privacy', () => {
  it('sets FLAG_SECURE on Android while signed in and lifts it when signed out', async () => {
    const { capture, calls } = fakeCapture();
    await applyScreenPrivacy('android', true, capture);
    await applyScreenPrivacy('android', false, capture);
    expect(calls).toEqual(['prevent:nextgen-signed-in', 'allow:nextgen-signed-in']);
  });

  it('blurs the iOS app switcher snapshot without blocking screenshots', async () => {
    const { capture, calls } = fakeCapture();
    await applyScreenPrivacy('ios', true, capture);
    expect(calls).toEqual(['switcher:1']);
  });

  it('leaves the web to the browser', async () => {
    const { capture, calls } = fakeCapture();
    await applyScreenPrivacy('web', true, capture);
    expect(calls).toEqual([]);
  });
});
