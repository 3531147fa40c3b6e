import { z } from "zod";
import { adminProcedure, router } from "../init";
import { grantRole, listRoleGrants, revokeRole } from "../../services/users/roles";
import { GRANTABLE_ROLES } from "../../auth/roles";

const roleInput = z.object({ address: z.string().min(1, "an address is required"), role: z.enum(GRANTABLE_ROLES) });

export const adminRouter = router({
  roles: adminProcedure.query(({ ctx }) => listRoleGrants(ctx.db)),
  grantRole: adminProcedure.input(roleInput).mutation(({ ctx, input }) => grantRole(ctx.db, { ...input, grantedBy: ctx.user.address })),
  revokeRole: adminProcedure.input(roleInput).mutation(({ ctx, input }) => revokeRole(ctx.db, { ...input, revokedBy: ctx.user.address })),
});
