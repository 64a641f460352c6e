// Tiny DOM helpers for the dashboard and the viewer: elements from a tag, attributes and children.

type Child = Node | string | null | undefined | false;

export function h(tag: string, attrs: Record<string, string | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

export function svgEl(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export function formatBytes(n: number | undefined): string {
  if (n === undefined) return "–";
  if (n < 1e3) return `${n} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)} MB`;
  return `${(n / 1e9).toFixed(2)} GB`;
}

export const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f5f6f8; }
header { background: #1d2330; color: #fff; padding: 12px 20px; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; }
main { padding: 16px 20px; display: grid; gap: 16px; }
section { background: #fff; border-radius: 6px; padding: 12px 16px; box-shadow: 0 1px 2px #0002; }
h2 { font-size: 15px; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e4e6eb; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.ok { color: #17803d; } .bad { color: #b3261e; } .muted { color: #6b7280; }
.pill { border-radius: 10px; padding: 1px 8px; font-size: 12px; }
.pill.connected { background: #dcfce7; color: #17803d; } .pill.disconnected { background: #fee2e2; color: #b3261e; }
.timeline { display: flex; gap: 3px; flex-wrap: wrap; }
.timeline span { width: 22px; height: 22px; border-radius: 3px; font-size: 10px; display: grid; place-items: center; color: #fff; }
.phase-training { background: #2563eb; } .phase-done { background: #17803d; } .phase-retry { background: #d97706; }
.charts { display: flex; gap: 16px; flex-wrap: wrap; }
`;
