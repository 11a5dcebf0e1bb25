/**
 * Online or offline. NetInfo reads the platform's connectivity (the browser's online/offline events
 * on the web), and tells TanStack Query's onlineManager. Its reachability probe is turned off: by default it would call a Google URL from the
 * phone (and `/` on the web), which is traffic nobody asked for and the CSP forbids.
 */
import NetInfo from '@react-native-community/netinfo';
import { onlineManager } from '@tanstack/react-query';
import { createContext, type ReactNode, use, useEffect, useState } from 'react';

NetInfo.configure({ reachabilityShouldRun: () => false });

const OnlineContext = createContext(true);

export function NetworkProvider({ children, online }: { children: ReactNode; online?: boolean }) {
  const [connected, setConnected] = useState(true);
  useEffect(() => {
    if (online !== undefined) return;
    return NetInfo.addEventListener((state) => {
      const now = state.isConnected !== false;
      setConnected(now);
      // TanStack Query pauses queries and mutations while offline and resumes them after; on
      // native it learns the connectivity only from here (the web has its own online events).
      onlineManager.setOnline(now);
    });
  }, [online]);
  return <OnlineContext value={online ?? connected}>{children}</OnlineContext>;
}

export function useOnline(): boolean {
  return use(OnlineContext);
}
