'use client';
import { createAuthClient } from 'better-auth/react';

/** better-auth's browser client; the server mounts it at /api/auth (same origin). */
export const authClient = createAuthClient();
