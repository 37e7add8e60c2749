import 'server-only';
import { cache } from 'react';
import { getDb } from '@/server/db';
import { isSignupEnabled } from '@/server/services/settings';

/** Whether the sign-up form is offered (an admin can close sign-up). */
export const getSignUpEnabled = cache(async (): Promise<boolean> => isSignupEnabled(getDb()));
