"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "../trpc";
import { EndpointsPanel } from "./endpoints-panel";
import { RoutesPanel } from "./routes-panel";
import { DeliveryLog } from "./delivery-log";

export function WebhooksPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.system.whoami.queryOptions());
  if (me.isLoading) return <p className="text-slate-400">Loading…</p>;
  if (!me.data) return <p className="text-slate-400">Sign in to see webhook endpoints and routing.</p>;
  const roles = me.data.roles;
  const isAdmin = roles.includes("admin");
  const isOncall = roles.includes("oncall");
  return (
    <div className="space-y-8">
      <EndpointsPanel isAdmin={isAdmin} isOncall={isOncall} />
      <RoutesPanel isOncall={isOncall} />
      <DeliveryLog isOncall={isOncall} />
    </div>
  );
}
