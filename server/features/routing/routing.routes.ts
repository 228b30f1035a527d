import { Router, type Request, type Response } from 'express';
import { access } from '../../platform/http/access';
import { idParam, pageNumber, paginationView, parseForm, validationLocals } from '../../platform/http/forms';
import { inputTimes, type InputTimes } from '../../platform/privacy/times';
import type { InboxItemView, InboxService } from './inbox.service';
import {
  FEEDBACK_KINDS,
  ForwardSchema,
  INBOX_PAGE_SIZE,
  ReplySchema,
  ROUTED_ITEM_STATUSES,
  ROUTING_TARGETS,
  RoutingRuleInputSchema,
  TimeframeSchema,
  type RoutedItem,
  type RoutedItemStatus,
  type RoutingRule,
} from './routing.schema';
import type { RoutingService } from './routing.service';

const recipients = () => access.roles('staff', 'manager', 'executive', 'hr', 'complaints');

/** Times of an item as this reader may see them (see the time-privacy presenter). */
const timesOf = (view: InboxItemView) => inputTimes(view.content.attribution, { mayUnseal: view.unsealed });

function itemJson(view: InboxItemView, now: number) {
  const times = timesOf(view);
  return {
    id: view.item.publicId,
    reference: view.content.reference,
    status: view.item.status,
    staffMember: view.content.staffName,
    kind: view.content.kind,
    attribution: view.content.attribution,
    comment: view.content.comment,
    context: view.content.context,
    ratings: view.content.ratings,
    submitter: view.namedSubmitter?.displayName ?? null,
    received: times.moment(view.item.receivedAt),
    due: dueView(view.item, times, now),
    history: view.events.map((e) => ({ type: e.type, actor: e.actor, actorName: e.actorName, body: e.body, from: e.fromName, to: e.toName, at: times.moment(e.createdAt) })),
  };
}

/** Due times as the reader may see them, with what is overdue. */
function dueView(item: RoutedItem, times: InputTimes, now: number) {
  return {
    acknowledge: times.due(item.acknowledgeDueAt),
    respond: times.due(item.respondDueAt),
    committed: times.due(item.committedRespondAt),
    acknowledgeOverdue: item.acknowledgedAt === null && item.acknowledgeDueAt !== null && item.acknowledgeDueAt < now,
    respondOverdue: item.respondedAt === null && item.status !== 'closed' && (item.committedRespondAt ?? item.respondDueAt ?? Infinity) < now,
  };
}

export function createRoutingRoutes({ inbox, routing, clockNow }: { inbox: InboxService; routing: RoutingService; clockNow: () => number }): Router {
  const router = Router({ caseSensitive: true });

  async function inboxPage(req: Request) {
    const status = (ROUTED_ITEM_STATUSES as readonly string[]).includes(String(req.query.status)) ? (req.query.status as RoutedItemStatus) : undefined;
    const staff = Number(req.query.staff);
    const subjectStaffMemberId = Number.isSafeInteger(staff) && staff > 0 ? staff : undefined;
    const result = await inbox.list(req.user!, { status, subjectStaffMemberId, page: pageNumber(req.query.page), pageSize: INBOX_PAGE_SIZE });
    return { status, subjectStaffMemberId, ...result };
  }

  router.get('/inbox', recipients(), async (req, res) => {
    const { status, subjectStaffMemberId, page, counts, subjects } = await inboxPage(req);
    res.render('routing/inbox', {
      title: req.t('inbox.title'),
      entries: page.items.map((e) => ({ ...e, received: inputTimes(e.content.attribution, { mayUnseal: false }).moment(e.item.receivedAt) })),
      pagination: paginationView(page, '/inbox', { status, staff: subjectStaffMemberId }),
      statuses: ROUTED_ITEM_STATUSES.map((s) => ({ value: s, label: req.t(`inbox.status.${s}`), count: counts[s] ?? 0, selected: s === status })),
      subjects: subjects.map((s) => ({ ...s, selected: s.id === subjectStaffMemberId })),
      filtered: !!status || !!subjectStaffMemberId,
    });
  });

  router.get('/inbox.json', recipients(), async (req, res) => {
    const { page, counts } = await inboxPage(req);
    res.json({
      counts,
      page: page.page,
      pageCount: page.pageCount,
      total: page.total,
      items: page.items.map((e) => ({ id: e.item.publicId, reference: e.content.reference, status: e.item.status, staffMember: e.content.staffName, kind: e.content.kind, attribution: e.content.attribution })),
    });
  });

  const renderItem = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const view = await inbox.view(req.user!, await inbox.idFor(String(req.params.id)));
    const times = timesOf(view);
    res.status(status).render('routing/item', {
      title: view.content.reference,
      view,
      received: times.moment(view.item.receivedAt),
      open: view.item.status !== 'closed',
      canAcknowledge: view.isRecipient && view.item.status === 'received',
      canReveal: view.content.attribution === 'confidential' && req.user!.roles.some((r) => r === 'hr' || r === 'complaints'),
      canReassign: !view.isRecipient && view.item.status !== 'closed' && req.user!.roles.some((r) => r === 'hr' || r === 'complaints'),
      events: view.events.map((e) => ({
        ...e,
        label: req.t(`inbox.event.${e.type}`),
        at: times.moment(e.createdAt),
        committed: e.committedDate ?? null,
      })),
      due: dueView(view.item, times, clockNow()),
      values: {},
      ...extra,
    });
  };

  router.get('/inbox/:id.json', recipients(), async (req, res) => {
    res.json(itemJson(await inbox.view(req.user!, await inbox.idFor(String(req.params.id))), clockNow()));
  });

  router.get('/inbox/:id', recipients(), (req, res) => renderItem(req, res));

  router.post('/inbox/:id/acknowledge', recipients(), async (req, res) => {
    await inbox.acknowledge(req.user!, await inbox.idFor(String(req.params.id)));
    req.session.flash = { kind: 'success', key: 'inbox.flash.acknowledged' };
    res.redirect(303, `/inbox/${req.params.id}`);
  });

  router.post('/inbox/:id/reply', recipients(), async (req, res) => {
    const id = await inbox.idFor(String(req.params.id));
    try {
      const { body, askSubmitter } = parseForm(ReplySchema, req.body);
      await inbox.reply(req.user!, id, body, askSubmitter === 'yes');
      req.session.flash = { kind: 'success', key: 'inbox.flash.replied' };
      res.redirect(303, `/inbox/${req.params.id}`);
    } catch (err) {
      await renderItem(req, res, { replyValues: req.body, ...validationLocals(req, err) }, 422);
    }
  });

  // Forwarding (by the recipient) and reassigning (by HR or the complaints officer) share a form.
  const handOvers = [
    { path: '/inbox/:id/forward', guard: recipients, handOver: inbox.forward, flash: 'inbox.flash.forwarded', after: () => '/inbox' },
    { path: '/inbox/:id/reassign', guard: () => access.roles('hr', 'complaints'), handOver: inbox.reassign, flash: 'inbox.flash.reassigned', after: (publicId: string) => `/inbox/${publicId}` },
  ];
  for (const { path, guard, handOver, flash, after } of handOvers) {
    router.post(path, guard(), async (req, res) => {
      const id = await inbox.idFor(String(req.params.id));
      try {
        const { recipientEmail, note } = parseForm(ForwardSchema, req.body);
        await handOver(req.user!, id, recipientEmail, note);
        req.session.flash = { kind: 'success', key: flash };
        res.redirect(303, after(String(req.params.id)));
      } catch (err) {
        await renderItem(req, res, { forwardValues: req.body, ...validationLocals(req, err) }, 422);
      }
    });
  }

  router.post('/inbox/:id/timeframe', recipients(), async (req, res) => {
    const id = await inbox.idFor(String(req.params.id));
    try {
      const { committedDate, reason } = parseForm(TimeframeSchema, req.body);
      await inbox.updateTimeframe(req.user!, id, committedDate, reason);
      req.session.flash = { kind: 'success', key: 'inbox.flash.timeframe' };
      res.redirect(303, `/inbox/${req.params.id}`);
    } catch (err) {
      await renderItem(req, res, { timeframeValues: req.body, ...validationLocals(req, err) }, 422);
    }
  });

  router.post('/inbox/:id/close', recipients(), async (req, res) => {
    await inbox.close(req.user!, await inbox.idFor(String(req.params.id)));
    req.session.flash = { kind: 'success', key: 'inbox.flash.closed' };
    res.redirect(303, `/inbox/${req.params.id}`);
  });

  const ruleView = (req: Request, rule: RoutingRule) => ({
    ...rule,
    kindLabel: rule.kind ? req.t(`feedback.kind.${rule.kind}`) : req.t('routingRules.any'),
    managerLabel: rule.subjectIsManager === null ? req.t('routingRules.any') : req.t(rule.subjectIsManager ? 'common.yes' : 'common.no'),
    escalationLabel: rule.escalationRequested === null ? req.t('routingRules.any') : req.t(rule.escalationRequested ? 'common.yes' : 'common.no'),
    targetLabel: req.t(`routingRules.target.${rule.target}`),
  });
  const ruleFormLocals = (req: Request) => ({
    kinds: FEEDBACK_KINDS.map((k) => ({ value: k, label: req.t(`feedback.kind.${k}`) })),
    targets: ROUTING_TARGETS.map((t) => ({ value: t, label: req.t(`routingRules.target.${t}`) })),
  });
  const renderRules = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    res.status(status).render('routing/rules', {
      title: req.t('routingRules.title'),
      rules: (await routing.listRules()).map((r) => ruleView(req, r)),
      ...ruleFormLocals(req),
      values: { position: 100, kind: 'any', subjectIsManager: 'any', escalationRequested: 'any', target: 'people_manager' },
      ...extra,
    });
  };

  router.get('/admin/routing-rules', access.roles('admin'), (req, res) => renderRules(req, res));

  router.post('/admin/routing-rules', access.roles('admin'), async (req, res) => {
    try {
      await routing.createRule(req.user!, parseForm(RoutingRuleInputSchema, req.body));
      req.session.flash = { kind: 'success', key: 'routingRules.saved' };
      res.redirect(303, '/admin/routing-rules');
    } catch (err) {
      await renderRules(req, res, { values: req.body, ...validationLocals(req, err) }, 422);
    }
  });

  router.post('/admin/routing-rules/:id/delete', access.roles('admin'), async (req, res) => {
    await routing.deleteRule(req.user!, idParam(req.params.id));
    req.session.flash = { kind: 'success', key: 'routingRules.deleted' };
    res.redirect(303, '/admin/routing-rules');
  });

  return router;
}
