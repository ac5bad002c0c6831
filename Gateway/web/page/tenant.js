// A tenant's page (/tenants/{tenantId}): its sign-in locations on a world map, its flagged sign-ins, its latest admin
// activity and sign-ins. Users link to their own page.
"use strict";

(() => {
  const { el, time, count, enumName, place } = Status;
  const tenantId = Status.pathSegments()[1] || "";
  const api = Status.apiTenantUrl(tenantId);
  const pageSize = 20;
  // The "Flagged sign-ins" table: sign-ins with at least one risk flag.
  const flaggedQuery = "flagged_only=true";

  const params = new URLSearchParams(location.search);
  const days = Number(params.get("days") || "");
  const rangeSelect = document.getElementById("range");
  rangeSelect.value = Number.isFinite(days) && days > 0 ? String(days) : "";
  rangeSelect.addEventListener("change", () => {
    const next = new URLSearchParams(location.search);
    if (rangeSelect.value) {
      next.set("days", rangeSelect.value);
    } else {
      next.delete("days");
    }
    location.search = next.toString();
  });
  const start = Number.isFinite(days) && days > 0 ? new Date(Date.now() - days * 86400000).toISOString() : "";
  const range = start ? `&start=${encodeURIComponent(start)}` : "";

  async function section(id, load) {
    const container = document.getElementById(id);
    try {
      await load(container);
    } catch (e) {
      Status.showError(container, e);
    }
  }

  function locationTable(response) {
    const rows = (response.locations || []).map((l) => {
      const t = WorldMap.totals(l);
      return [place(l.location) || "—", (l.location && l.location.countryCode) || "", count(t.successes), count(t.failures), count(t.interrupted), count(l.userCount)];
    });
    return Status.table("locations", ["Place", "Country", "Successful", "Failed", "Interrupted", "Users"], rows);
  }

  section("source", async (container) => {
    const source = await Status.getJson(api);
    document.getElementById("title").textContent = source.displayName || source.tenantId;
    document.title = `${source.displayName || source.tenantId} · Office 365 activity`;
    const state = enumName(source.state, "CONNECTION_STATE_");
    container.replaceChildren(
      el("span", { class: "tenant-id" }, source.tenantId), " · ",
      state === "CONNECTED"
        ? el("span", { class: "state state-connected", "data-state": state }, el("span", { class: "check" }, "✓"), " Connected")
        : el("span", { class: "state", "data-state": state }, state.replace(/_/g, " "), source.statusReason ? `: ${source.statusReason}` : ""),
      ` · ${count(source.recordsCollected)} records collected, last successful poll ${time(source.lastSuccessfulPollAt)}`);
  });

  section("map-container", async (container) => {
    const response = await Status.getJson(`${api}/locations?${range.slice(1)}`);
    document.getElementById("locations").replaceChildren(locationTable(response));
    const unplaced = await WorldMap.draw(container, document.getElementById("location-details"), tenantId, response);
    const notes = [];
    if (unplaced > 0) notes.push(`${count(unplaced)} location(s) without coordinates are not on the map`);
    if (Number(response.unreliableSignIns || 0) > 0) notes.push(`${count(response.unreliableSignIns)} sign-in(s) of federated users left out (their address is the federation server's)`);
    if (Number(response.unlocatedSignIns || 0) > 0) notes.push(`${count(response.unlocatedSignIns)} sign-in(s) from addresses without a known location`);
    document.getElementById("map-note").textContent = notes.length ? `· ${notes.join("; ")}.` : "";
  });

  section("flagged", async (container) => {
    const response = await Status.getJson(`${api}/ingress?${flaggedQuery}&page_size=${pageSize}${range}`);
    container.replaceChildren(Activity.signInTable(tenantId, response.events || []));
  });

  section("admin", async (container) => {
    const response = await Status.getJson(`${api}/admin?page_size=${pageSize}${range}`);
    container.replaceChildren(Activity.adminTable(tenantId, response.events || []));
  });

  section("signins", async (container) => {
    const response = await Status.getJson(`${api}/ingress?page_size=${pageSize}${range}`);
    container.replaceChildren(Activity.signInTable(tenantId, response.events || []));
  });
})();
