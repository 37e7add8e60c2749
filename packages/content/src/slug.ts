/** A stable anchor for a heading without `{#id}`: lowercase, letters of any script kept. */
export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');
  return slug === '' ? 'section' : slug;
}

/** Hands out unique ids: the second `intro` becomes `intro-1`, and so on. */
export class SlugRegistry {
  private readonly used = new Set<string>();

  claim(base: string): string {
    let id = base;
    for (let n = 1; this.used.has(id); n++) id = `${base}-${n}`;
    this.used.add(id);
    return id;
  }
}
