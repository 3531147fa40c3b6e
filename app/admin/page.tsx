import { RoleAdmin } from "@/components/role-admin";

export default function AdminPage() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Admin</h1>
        <p className="text-sm text-slate-400">Roles by address. Anyone signed in is a holder; committee, on-call and admin are granted here. Every grant and revocation is in the audit log.</p>
      </div>
      <RoleAdmin />
    </div>
  );
}
