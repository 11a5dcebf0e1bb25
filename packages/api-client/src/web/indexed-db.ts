/**
 * The little of IndexedDB the web build needs — one object store of structured-cloneable values
 * (CryptoKey objects included) — typed here because the repo type-checks without the DOM library.
 */
interface IdbRequest<T> {
  result: T;
  error: unknown;
  onsuccess: (() => void) | null;
  onerror: (() => void) | null;
}
interface IdbOpenRequest extends IdbRequest<IdbDatabase> {
  onupgradeneeded: (() => void) | null;
}
interface IdbObjectStore {
  get(key: string): IdbRequest<unknown>;
  put(value: unknown, key: string): IdbRequest<unknown>;
  delete(key: string): IdbRequest<unknown>;
}
interface IdbDatabase {
  readonly objectStoreNames: { contains(name: string): boolean };
  createObjectStore(name: string): unknown;
  transaction(store: string, mode: 'readonly' | 'readwrite'): { objectStore(name: string): IdbObjectStore };
}
/** `window.indexedDB`. */
export interface IdbFactory {
  open(name: string, version?: number): IdbOpenRequest;
}

export interface DeviceStore {
  get<T>(key: string): Promise<T | undefined>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
}

const databaseName = 'nextgen';
const storeName = 'device';

const settle = <T>(request: IdbRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

/** The app's one IndexedDB object store on this origin. */
export async function openDeviceStore(indexedDB: IdbFactory): Promise<DeviceStore> {
  const opening = indexedDB.open(databaseName, 1);
  opening.onupgradeneeded = () => {
    if (!opening.result.objectStoreNames.contains(storeName)) opening.result.createObjectStore(storeName);
  };
  const db = await settle(opening);
  const store = (mode: 'readonly' | 'readwrite') => db.transaction(storeName, mode).objectStore(storeName);
  return {
    get: async <T>(key: string) => (await settle(store('readonly').get(key))) as T | undefined,
    put: async (key, value) => {
      await settle(store('readwrite').put(value, key));
    },
    delete: async (key) => {
      await settle(store('readwrite').delete(key));
    },
  };
}
