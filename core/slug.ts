/** An id-friendly form of a title: lowercase letters and digits joined by `-`, at most 40 characters. */
export function slugOf(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40);
}
