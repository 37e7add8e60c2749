import { getAuth } from '@/server/auth';

export const dynamic = 'force-dynamic';

// better-auth's endpoints (/api/auth/sign-in/email, /sign-up/email, /sign-out, /get-session…)
function handler(req: Request) {
  return getAuth().handler(req);
}

export { handler as GET, handler as POST };
