"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "./trpc";

const ROLES = ["committee", "oncall", "admin"] as const;

export function RoleAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.system.whoami.queryOptions());
  const isAdmin = me.data?.roles.includes("admin") ?? false;
  const grants = useQuery({ ...trpc.admin.roles.queryOptions(), enabled: isAdmin });
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.admin.roles.queryKey() });
  const grant = useMutation(trpc.admin.grantRole.mutationOptions({ onSuccess: invalidate }));
  const revoke = useMutation(trpc.admin.revokeRole.mutationOptions({ onSuccess: invalidate }));
  const [address, setAddress] = useState("");
  const [role, setRole] = useState<(typeof ROLES)[number]>("committee");

  if (me.isLoading) return <p className="text-slate-400">Loading…</p>;
  if (!isAdmin) return <p className="text-amber-300">This page needs the admin role. Admins are bootstrapped with ADMIN_ADDRESSES.</p>;

  return (
    <div className="space-y-4">
      <form
        className="flex flex-wrap items-end gap-2 rounded-lg border border-slate-800 p-3"
        onSubmit={(event) => {
          event.preventDefault();
          grant.mutate({ address, role });
        }}
      >
        <label className="flex flex-col text-xs text-slate-400">
          Address
          <input value={address} onChange={(e) => setAddress(e.target.value)} placeholder="0x…" className="mt-1 w-[28rem] rounded border border-slate-700 bg-slate-900 px-2 py-1 font-mono text-sm text-slate-100" data-testid="grant-address" />
        </label>
        <label className="flex flex-col text-xs text-slate-400">
          Role
          <select value={role} onChange={(e) => setRole(e.target.value as (typeof ROLES)[number])} className="mt-1 rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm text-slate-100" data-testid="grant-role">
            {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
        </label>
        <button type="submit" className="rounded bg-emerald-600 px-3 py-1.5 text-sm text-white hover:bg-emerald-500" data-testid="grant-submit">Grant</button>
        {grant.error && <span className="text-sm text-red-400">{grant.error.message}</span>}
      </form>
      <table className="w-full text-sm">
        <thead className="text-left text-xs uppercase text-slate-400">
          <tr><th className="py-1">Address</th><th>Role</th><th>Granted by</th><th>When</th><th /></tr>
        </thead>
        <tbody>
          {(grants.data ?? []).map((g) => (
            <tr key={g.id} className="border-t border-slate-800">
              <td className="py-1 font-mono text-xs">{g.address}</td>
              <td>{g.role}</td>
              <td className="font-mono text-xs text-slate-400">{g.grantedBy}</td>
              <td className="text-xs text-slate-400">{new Date(g.createdAt).toLocaleString()}</td>
              <td className="text-right">
                <button onClick={() => revoke.mutate({ address: g.address, role: g.role as (typeof ROLES)[number] })} className="text-xs text-red-300 hover:underline">Revoke</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoke.error && <p className="text-sm text-red-400">{revoke.error.message}</p>}
    </div>
  );
}
