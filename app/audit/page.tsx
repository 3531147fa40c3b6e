import { AuditLog } from "@/components/governance/audit-log";

export default function AuditPage() {
  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Audit log</h1>
        <p className="text-sm text-slate-400">Every steward update, role grant, execution, cancel and veto, with who and what.</p>
      </div>
      <AuditLog />
    </div>
  );
}
