import 'server-only';
import { cache } from 'react';

/** Whether the sign-up form is offered (admin setting); read through the server's API. */
export const getSignUpEnabled = cache(async (): Promise<boolean> => {
  // wired to the server's settings procedure once it lands
  return true;
});
