import { getBridge } from '$lib/server/bridge';
import type { PageServerLoad } from './$types';

// Rendered on the server: on a slow phone network the form appears with the first response,
// without waiting for scripts and a second round trip.
export const ssr = true;

export const load: PageServerLoad = ({ params }) => ({ info: getBridge()?.eventInfo(params.code) ?? null });
