import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestMeta } from '../plugins/auth.js';
import type { IdentityFacts } from '../../domain/recovery/evidence.js';
import type { Form, ConsoleKit } from './kit.js';
import type { Message } from './layout.js';
import { textsIn } from './messages.js';
import { consoleLocaleOf } from '../plugins/locale.js';
import { RealNamePage } from './real-name.pages.js';

/** Form fields → the API's identity facts; empty enterprise fields are "not given". */
function factsFrom(form: Form): IdentityFacts {
  const type = form.type === 'enterprise' ? 'enterprise' : 'personal';
  return {
    type,
    name: form.name ?? '',
    idNumber: form.idNumber ?? '',
    phone: (form.phone ?? '').replace(/[\s()-]/g, ''),
    ...(type === 'enterprise' ? { companyName: form.companyName ?? '', licenseNumber: form.licenseNumber ?? '' } : {}),
  };
}

/**
 * Account Management › Real-name verification (docs/design.md F7): a primary account's record, which
 * a lost-device ticket needs; support reviews it.
 */
export function registerRealNamePages(app: FastifyInstance, kit: ConsoleKit) {
  const { services } = kit;

  async function realNamePage(
    request: FastifyRequest,
    reply: FastifyReply,
    message: Message,
    status = 200,
    values?: Form,
  ) {
    const t = textsIn(consoleLocaleOf(request));
    const principal = request.principal!;
    return kit.sendPage(
      reply,
      <RealNamePage
        frame={await kit.frame(request, reply, t.realName.title)}
        message={message}
        record={await services.realNames.get(principal)}
        subUser={principal.kind !== 'root'}
        values={values}
      />,
      status,
    );
  }

  app.get('/account/real-name', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    return realNamePage(request, reply, kit.notice(request, t.realName.notices));
  });

  app.post('/account/real-name', { schema: { hide: true } }, async (request, reply) => {
    const t = textsIn(consoleLocaleOf(request));
    const form = kit.checkForm(request);
    try {
      await services.realNames.put(request.principal!, factsFrom(form), requestMeta(request));
      return reply.redirect('/account/real-name?notice=submitted', 303);
    } catch (error) {
      // The form comes back filled, and the step-up detour resumes it (decision 024): what was typed is
      // the person's own, on a no-store page; nothing in it is a credential.
      return kit.failure(request, reply, error, {
        next: '/account/real-name',
        purpose: t.stepUp.purposes.realName,
        render: (message, status) => realNamePage(request, reply, message, status, form),
      });
    }
  });
}
