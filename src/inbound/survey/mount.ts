import type Router from '@koa/router';
import { koaBody } from 'koa-body';
import type { Mount } from '../../http/mount.ts';

/** The survey page as a mount of the HTTP host: public routes, small form bodies only. */
export function surveyMount(router: Router): Mount {
  return {
    name: 'survey',
    prefix: '/survey',
    routers: [router],
    accessOf: () => 'public',
    guard: koaBody({ urlencoded: true, json: false, text: false, multipart: false, formLimit: '2kb', parsedMethods: ['POST'] as never }),
  };
}
