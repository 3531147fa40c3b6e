"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "./trpc";
import { shortAddress } from "./format";

const LINKS = [
  { href: "/", label: "Overview" },
  { href: "/markets", label: "Markets" },
  { href: "/snapshots", label: "Snapshots" },
  { href: "/proposals", label: "Proposals" },
  { href: "/oracles", label: "Oracles" },
  { href: "/alerts", label: "Alerts" },
  { href: "/webhooks", label: "Webhooks" },
  { href: "/audit", label: "Audit" },
  { href: "/admin", label: "Admin" },
];

export function NavBar() {
  const trpc = useTRPC();
  const pathname = usePathname();
  const me = useQuery(trpc.system.whoami.queryOptions());
  return (
    <header className="border-b border-slate-800 bg-slate-900/80">
      <nav className="mx-auto flex max-w-7xl items-center gap-1 px-4 py-2 text-sm">
        <Link href="/" className="mr-4 font-semibold tracking-tight text-emerald-400">
          Riskwarden
        </Link>
        {LINKS.map((link) => {
          const active = link.href === "/" ? pathname === "/" : pathname.startsWith(link.href);
          return (
            <Link key={link.href} href={link.href} className={`rounded px-2 py-1 ${active ? "bg-slate-800 text-white" : "text-slate-400 hover:text-white"}`}>
              {link.label}
            </Link>
          );
        })}
        <div className="ml-auto flex items-center gap-2" data-testid="session">
          {me.data ? (
            <>
              <span className="font-mono text-xs text-slate-300" data-testid="session-address">{shortAddress(me.data.address)}</span>
              {me.data.roles.filter((role) => role !== "holder").map((role) => (
                <span key={role} className="rounded bg-slate-800 px-1.5 py-0.5 text-xs text-slate-300">{role}</span>
              ))}
              <a href="/api/auth/signout" className="text-xs text-slate-400 hover:text-white">Sign out</a>
            </>
          ) : (
            <Link href="/signin" className="rounded bg-emerald-600 px-3 py-1 text-white hover:bg-emerald-500">Sign in</Link>
          )}
        </div>
      </nav>
    </header>
  );
}
