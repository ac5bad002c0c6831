// The event sources page (/): each source's state (a green check when CONNECTED, else the state and why), lag and counters.
"use strict";

(() => {
  const { el, time, duration, count, enumName } = Status;
  const container = document.getElementById("sources");
  const refreshed = document.getElementById("refreshed");

  function secondsOf(value) {
    const seconds = parseFloat(value);
    return Number.isFinite(seconds) ? seconds : null;
  }

  /** The largest lag of the source's content types (proto JSON durations), or null. */
  function worstLag(source) {
    let worst = null;
    for (const c of source.contentTypeStatus || []) {
      const seconds = secondsOf(c.lag);
      if (seconds !== null && (worst === null || seconds > secondsOf(worst))) {
        worst = c.lag;
      }
    }
    return worst;
  }

  function stateCell(source) {
    const state = enumName(source.state, "CONNECTION_STATE_");
    if (state === "CONNECTED") {
      return el("div", { class: "state state-connected", "data-state": state },
        el("span", { class: "check", role: "img", "aria-label": "connected" }, "✓"), " Connected");
    }
    const why = [];
    if (state === "PENDING_CONSENT") {
      why.push(source.adminConsentUrlExpiresAt
        ? `Waiting for a tenant administrator's consent; the consent URL works until ${time(source.adminConsentUrlExpiresAt)}.`
        : "Waiting for a tenant administrator's consent; the consent URL has expired (renew it).");
    }
    if (source.statusReason) {
      why.push(source.statusReason);
    }
    if (source.lastError && source.lastError !== source.statusReason) {
      why.push(`Last error: ${source.lastError}`);
    }
    return el("div", { class: `state state-${state.toLowerCase().replace(/_/g, "-")}`, "data-state": state },
      el("span", { class: "state-name" }, state.replace(/_/g, " ")),
      why.map((w) => el("div", { class: "reason" }, w)));
  }

  function contentTypes(source) {
    const rows = (source.contentTypeStatus || []).map((c) => [
      c.contentType,
      c.subscribed ? "yes" : "no",
      duration(c.lag),
      time(c.cursor),
      time(c.lastPolledAt),
      count(c.counters && c.counters.records),
      c.needsAttention ? el("span", { class: "attention" }, "needs attention") : "",
      c.lastError ? el("span", { class: "error-text" }, [c.lastErrorCode, c.lastError].filter((p) => p).join(": ")) : "",
    ]);
    return el("details", { class: "content-types" },
      el("summary", {}, `${rows.length} content type${rows.length === 1 ? "" : "s"}`),
      Status.table("content-types", ["Content type", "Subscribed", "Lag", "Cursor", "Last polled", "Records", "", "Last error"], rows));
  }

  function render(list) {
    const sources = list.eventSources || [];
    if (sources.length === 0) {
      container.replaceChildren(el("p", { class: "empty" }, "No event sources yet: create one with the gRPC API (o365activity create)."));
      return;
    }
    const headers = ["Event source", "State", "Lag", "Last successful poll", "Records", "Sign-ins", "Admin", "Duplicates dropped", "Warnings", "Rejected"];
    const rows = sources.map((s) => {
      const c = s.counters || {};
      return [
        el("div", {},
          el("a", { href: Status.tenantUrl(s.tenantId), class: "source-name" }, s.displayName || s.tenantId),
          el("div", { class: "tenant-id" }, s.tenantId),
          contentTypes(s)),
        stateCell(s),
        duration(worstLag(s)),
        time(s.lastSuccessfulPollAt),
        count(s.recordsCollected),
        count(c.ingressEvents),
        count(c.adminEvents),
        count(c.duplicatesDropped),
        count(c.normalizationWarnings),
        count(c.recordsRejected),
      ];
    });
    container.replaceChildren(Status.table("sources", headers, rows, (i) => ({ class: "source", "data-tenant-id": sources[i].tenantId })));
  }

  async function refresh() {
    try {
      render(await Status.getJson("/api/sources"));
      refreshed.textContent = `Updated ${time(new Date().toISOString())}; refreshes every 15 s.`;
    } catch (e) {
      Status.showError(container, e);
    }
  }

  refresh();
  setInterval(refresh, 15000);
})();
