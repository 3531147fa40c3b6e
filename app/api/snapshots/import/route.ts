// POST a positions snapshot file as the raw body (server/trpc/snapshot-upload.ts).
import { createContext } from "@/server/trpc/context";
import { handleSnapshotUpload } from "@/server/trpc/snapshot-upload";

export const dynamic = "force-dynamic";

export async function POST(request: Request) {
  return handleSnapshotUpload(request, await createContext(request));
}
