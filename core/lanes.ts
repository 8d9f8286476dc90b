/**
 * Bounded concurrency: `lanes` workers take the items in order, one at a time each, while `go()`
 * allows. Pure, so workflows use it as well as in-process runners.
 */
export async function inLanes<T>(items: readonly T[], lanes: number, work: (item: T) => Promise<unknown>, go: () => boolean = () => true): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && go()) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane));
}
