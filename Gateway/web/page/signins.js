// Sign-in and admin-event tables, shared by the tenant and user pages.
"use strict";

const Activity = (() => {
  const { el, userLink, time, enumName, place } = Status;

  /**
   * The flags of a sign-in, for the flags column: its risk flags (IngressEvent.risk_flags, computed at collection),
   * each with its evidence. A new kind of flag needs nothing here: its name comes from the enum.
   */
  function signInFlags(signIn) {
    return (signIn.riskFlags || []).map((flag) => ({
      name: enumName(flag.kind, "RISK_FLAG_KIND_").toLowerCase().replace(/_/g, " "),
      detail: flag.evidence || "",
    }));
  }

  function flagsCell(signIn) {
    const flags = signInFlags(signIn);
    if (flags.length === 0) {
      return "";
    }
    return el("ul", { class: "flags" }, flags.map((f) => el("li", { class: `flag flag-${f.name.replace(/[^a-z]+/g, "-")}` }, f.name, f.detail ? el("span", { class: "detail" }, `: ${f.detail}`) : null)));
  }

  function resultCell(result, prefix) {
    const name = enumName(result, prefix);
    return el("span", { class: `result result-${name.toLowerCase()}` }, name || "—");
  }

  function address(a) {
    return a && a.ip ? a.ip : (a && a.raw) || "—";
  }

  /** A table of sign-ins; the user column links to the user's page unless showUser is false. */
  function signInTable(tenantId, signIns, showUser = true) {
    if (signIns.length === 0) {
      return el("p", { class: "empty" }, "None.");
    }
    const headers = ["Time", ...(showUser ? ["User"] : []), "Result", "Flags", "Address", "Location", "Application", "User agent"];
    const rows = signIns.map((s) => [
      time(s.header && s.header.eventTime),
      ...(showUser ? [userLink(tenantId, s.user)] : []),
      resultCell(s.result, "SIGN_IN_RESULT_"),
      flagsCell(s),
      address(s.clientAddress),
      place(s.location) || "—",
      s.applicationName || s.applicationId || "—",
      el("span", { class: "agent" }, s.userAgent || "—"),
    ]);
    return Status.table("signins", headers, rows, (i) => ({ class: "signin", "data-user": signIns[i].user, "data-sequence": signIns[i].header && signIns[i].header.sequence }));
  }

  function target(tenantId, e) {
    const kind = enumName(e.targetKind, "TARGET_KIND_");
    if (!e.target) {
      return "—";
    }
    return kind === "USER" ? userLink(tenantId, e.target) : el("span", {}, e.target, kind ? el("span", { class: "kind" }, ` (${kind.toLowerCase()})`) : null);
  }

  function changes(e) {
    const items = (e.changes || []).map((c) => el("li", {}, el("span", { class: "name" }, c.name), ": ", c.oldValue || "∅", " → ", c.newValue || "∅"));
    const parameters = (e.parameters || []).map((p) => el("li", {}, el("span", { class: "name" }, p.name), " = ", p.value));
    const all = items.concat(parameters);
    return all.length === 0 ? "" : el("ul", { class: "changes" }, all.slice(0, 6), all.length > 6 ? el("li", {}, `… ${all.length - 6} more`) : null);
  }

  /** A table of admin events. */
  function adminTable(tenantId, events) {
    if (events.length === 0) {
      return el("p", { class: "empty" }, "None.");
    }
    const headers = ["Time", "Action", "Actor", "Target", "Changes", "Result", "Actor address"];
    const rows = events.map((e) => {
      const action = enumName(e.action, "ADMIN_ACTION_");
      return [
        time(e.header && e.header.eventTime),
        el("span", { class: "action" }, action === "OTHER" || !action ? (e.header && e.header.operation) || "OTHER" : action, action && action !== "OTHER" && e.header ? el("span", { class: "operation" }, ` ${e.header.operation}`) : null),
        userLink(tenantId, e.actor),
        target(tenantId, e),
        changes(e),
        resultCell(e.result, "ACTIVITY_RESULT_"),
        address(e.actorAddress),
      ];
    });
    return Status.table("admin", headers, rows, (i) => ({ class: "admin-event", "data-sequence": events[i].header && events[i].header.sequence }));
  }

  return { signInFlags, signInTable, adminTable };
})();
