import type { Metadata } from "next";
import type { ReactNode } from "react";
import "./globals.css";
import { TrpcProviders } from "@/components/trpc";
import { NavBar } from "@/components/nav-bar";

export const metadata: Metadata = {
  title: "Riskwarden",
  description: "Risk-parameter governance and oracle monitoring for perpetuals protocols",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <TrpcProviders>
          <NavBar />
          <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
        </TrpcProviders>
      </body>
    </html>
  );
}
