// What the dashboard shows of free text (a site's error, a rejection reason) with anything that
// looks like a file path replaced: a failed task's message may name a patient's file.

const PATH = /(?:[A-Za-z]:\\|\/)[^\s"'`,;:()]*[^\s"'`,;:().]/g;

export function redactPaths(text: string): string {
  return text.replace(PATH, "[path]");
}
