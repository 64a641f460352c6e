// Text into HTML or SVG (both elements and attribute values): the five characters that can end or
// open markup are replaced by entities, so report labels, notes and file names can never inject tags.

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}
