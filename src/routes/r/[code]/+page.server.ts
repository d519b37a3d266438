import { getBridge } from '$lib/server/bridge';
import type { PageServerLoad } from './$types';

// Rendered on the server like the join page: the form comes with the first response.
export const ssr = true;

export const load: PageServerLoad = ({ params }) => ({ info: getBridge()?.eventInfo(params.code) ?? null });
