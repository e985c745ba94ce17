/** Settles like `promise`, or rejects with `onTimeout()` after `ms` (the promise itself keeps running). */
export function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error = () => new Error(`no answer within ${ms} ms`)): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
