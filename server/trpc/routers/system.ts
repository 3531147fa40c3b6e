import { publicProcedure, router } from "../init";

export const systemRouter = router({
  whoami: publicProcedure.query(({ ctx }) => ctx.user),
});
