import { getServerSession } from "next-auth";
import { getAddress } from "viem";
import { getRuntime } from "../runtime";
import { getAuthOptions } from "../auth/options";
import { rolesOf } from "../services/users/roles";
import type { Context } from "./init";

/** Context of an HTTP tRPC call: the runtime, and the signed-in user with roles read fresh from the database. */
export async function createContext(_request: Request): Promise<Context> {
  const runtime = await getRuntime();
  const session = await getServerSession(await getAuthOptions());
  const address = (session?.user as { address?: string } | undefined)?.address;
  if (!address) return { db: runtime.database.prisma, runtime, user: null };
  const checksummed = getAddress(address);
  return { db: runtime.database.prisma, runtime, user: { address: checksummed, roles: await rolesOf(runtime.database.prisma, checksummed) } };
}
