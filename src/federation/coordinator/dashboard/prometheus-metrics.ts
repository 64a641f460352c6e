// The coordinator in Prometheus' text exposition format (version 0.0.4), what hospital IT's
// monitoring scrapes: rounds, sites connected, bytes, rejected updates, round duration, privacy.

import type { FederationActivity } from "./federation-activity.js";

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

export function prometheusMetrics(activity: FederationActivity): string {
  const { status, sites } = activity.snapshot();
  const lines: string[] = [];
  const metric = (name: string, type: "counter" | "gauge", help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples)
      lines.push(`${name}${labels} ${Number.isFinite(value) ? value : "NaN"}`);
  };
  const t = activity.totals;
  metric("segviz_rounds_completed_total", "counter", "Federation rounds completed.", [
    ["", status.completedRounds],
  ]);
  metric("segviz_round_attempts_total", "counter", "Round attempts by outcome.", [
    ['{outcome="completed"}', t.attempts.completed],
    ['{outcome="retry"}', t.attempts.retry],
  ]);
  metric("segviz_rounds_planned", "gauge", "Rounds the federation is configured to run.", [
    ["", status.rounds],
  ]);
  metric("segviz_current_round", "gauge", "The round in progress (or next).", [["", status.round]]);
  metric("segviz_sites_connected", "gauge", "Sites with an open connection.", [["", status.sites.length]]);
  metric("segviz_sites_known", "gauge", "Sites seen since the coordinator started.", [["", sites.length]]);
  metric("segviz_received_bytes_total", "counter", "Bytes received from sites in rounds.", [["", t.bytesIn]]);
  metric("segviz_sent_bytes_total", "counter", "Bytes sent to sites in rounds.", [["", t.bytesOut]]);
  metric(
    "segviz_updates_rejected_total",
    "counter",
    "Site results not aggregated (rejected, failed or timed out), by site.",
    sites.map((s) => [`{site="${escapeLabel(s.id)}"}`, t.rejected.get(s.id) ?? 0]),
  );
  metric("segviz_last_round_duration_seconds", "gauge", "Duration of the last round attempt.", [
    ["", activity.lastRoundSeconds],
  ]);
  if (status.privacy !== undefined)
    metric(
      "segviz_privacy_epsilon",
      "gauge",
      `Site-level differential privacy spent (delta ${status.privacy.delta}).`,
      [["", status.privacy.epsilon]],
    );
  return `${lines.join("\n")}\n`;
}
