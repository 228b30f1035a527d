import { Router, type Request, type RequestHandler, type Response } from 'express';
import { NotFoundError } from '../../platform/errors';
import { access } from '../../platform/http/access';
import { idParam, pageNumber, paginationView, parseForm, renderFormErrors, requiredUploadText, validationLocals } from '../../platform/http/forms';
import { MEMBER_IMPORT_COLUMNS } from './member-import';
import {
  DEFAULT_ASSESSMENT_DAYS,
  MEMBER_ROLES,
  MemberInputSchema,
  StaffAssignmentSchema,
  WORKING_GROUP_TYPES,
  WorkingGroupInputSchema,
  type WorkingGroup,
} from './working-groups.schema';
import type { WorkingGroupsService } from './working-groups.service';

const canManage = () => access.roles('hr', 'admin');

/** The members import route; csrf.acceptUpload checks its token once the multipart body is read. */
export const WORKING_GROUP_IMPORT_ROUTE = '/working-groups/:id/members/import';
/** The same path as a pattern, for the upload paths of createCsrf. */
export const WORKING_GROUP_IMPORT_PATH = /^\/working-groups\/[1-9]\d*\/members\/import$/;

type FormValues = Record<string, unknown>;

function formValues(group: WorkingGroup): FormValues {
  return {
    name: group.name,
    type: group.type,
    charteringOrganisation: group.charteringOrganisation,
    description: group.description,
    startedOn: group.startedOn ?? '',
    initialReportOn: group.initialReportOn ?? '',
    finalReportOn: group.finalReportOn ?? '',
    closedOn: group.closedOn ?? '',
    assessmentTemplateId: group.assessmentTemplateId ?? '',
    assessmentDays: group.assessmentDays,
  };
}


/** A group's surveys as its page lists them (from the survey engine, which depends on groups, not the reverse). */
export type GroupSurveys = (groupId: number) => Promise<Array<{ id: number; title: string; status: string; opensAt: number; closesAt: number }>>;

export function createWorkingGroupRoutes(groups: WorkingGroupsService, acceptUpload: RequestHandler[], surveysOf: GroupSurveys): Router {
  const router = Router({ caseSensitive: true });

  const requireGroup = async (req: Request): Promise<WorkingGroup> => {
    const group = await groups.findGroup(idParam(req.params.id));
    if (!group) throw new NotFoundError();
    return group;
  };
  const typeLabel = (req: Request, type: string) => req.t(`workingGroups.type.${type}`);
  const roleOptions = (req: Request, selected: unknown) => MEMBER_ROLES.map((r) => ({ value: r, label: req.t(`workingGroups.role.${r}`), selected: r === (selected || 'member') }));

  const renderForm = async (req: Request, res: Response, options: { title: string; action: string; values: FormValues; status?: number; extra?: object }) => {
    const templates = await groups.templateOptions();
    res.status(options.status ?? 200).render('working-groups/form', {
      title: options.title,
      action: options.action,
      values: options.values,
      types: WORKING_GROUP_TYPES.map((t) => ({ value: t, label: typeLabel(req, t), selected: t === options.values.type })),
      templates: templates.map((t) => ({ ...t, selected: String(t.id) === String(options.values.assessmentTemplateId ?? '') })),
      ...options.extra,
    });
  };

  const renderGroup = async (req: Request, res: Response, id: number, extra: { status?: number; [key: string]: unknown } = {}) => {
    const { status = 200, ...locals } = extra;
    const page = await groups.groupPage(id);
    const memberValues = (locals.memberValues as FormValues | undefined) ?? {};
    res.status(status).render('working-groups/group', {
      title: page.group.name,
      ...page,
      typeLabel: typeLabel(req, page.group.type),
      surveys: (await surveysOf(id)).map((s) => ({ ...s, statusLabel: req.t(`surveys.status.${s.status}`), opensOn: new Date(s.opensAt).toISOString().slice(0, 10), closesOn: new Date(s.closesAt - 1).toISOString().slice(0, 10) })),
      members: page.members.map((m) => ({ ...m, roleLabel: req.t(`workingGroups.role.${m.role}`) })),
      leadership: page.leadership.map((m) => ({ ...m, roleLabel: req.t(`workingGroups.role.${m.role}`) })),
      roles: roleOptions(req, memberValues.role),
      staffOptions: (await groups.staffOptions()).map((s) => ({ id: s.id, name: s.name, title: s.title, selected: String(s.id) === String((locals.staffValues as FormValues | undefined)?.staffMemberId ?? '') })),
      memberValues,
      staffValues: {},
      ...locals,
    });
  };

  router.get('/working-groups', canManage(), async (req, res) => {
    const page = await groups.listGroups(pageNumber(req.query.page));
    res.render('working-groups/index', {
      title: req.t('workingGroups.title'),
      groups: page.items.map((g) => ({ ...g, typeLabel: typeLabel(req, g.type) })),
      pagination: paginationView(page, '/working-groups', {}),
    });
  });

  router.get('/working-groups/new', canManage(), async (req, res) => {
    await renderForm(req, res, { title: req.t('workingGroups.newTitle'), action: '/working-groups', values: { assessmentDays: DEFAULT_ASSESSMENT_DAYS } });
  });

  router.post('/working-groups', canManage(), async (req, res) => {
    try {
      const id = await groups.createGroup(req.user!, parseForm(WorkingGroupInputSchema, req.body));
      req.session.flash = { kind: 'success', key: 'workingGroups.flash.created' };
      res.redirect(303, `/working-groups/${id}`);
    } catch (err) {
      await renderForm(req, res, { title: req.t('workingGroups.newTitle'), action: '/working-groups', values: req.body, status: 422, extra: validationLocals(req, err) });
    }
  });

  router.get('/working-groups/:id', canManage(), async (req, res) => {
    await renderGroup(req, res, idParam(req.params.id));
  });

  router.get('/working-groups/:id/edit', canManage(), async (req, res) => {
    const group = await requireGroup(req);
    await renderForm(req, res, { title: req.t('workingGroups.editTitle', { name: group.name }), action: `/working-groups/${group.id}`, values: formValues(group), extra: { groupId: group.id } });
  });

  router.post('/working-groups/:id', canManage(), async (req, res) => {
    const id = idParam(req.params.id);
    try {
      await groups.updateGroup(req.user!, id, parseForm(WorkingGroupInputSchema, req.body));
      req.session.flash = { kind: 'success', key: 'workingGroups.flash.updated' };
      res.redirect(303, `/working-groups/${id}`);
    } catch (err) {
      const messages = validationLocals(req, err);
      const group = await requireGroup(req);
      await renderForm(req, res, { title: req.t('workingGroups.editTitle', { name: group.name }), action: `/working-groups/${id}`, values: req.body, status: 422, extra: { ...messages, groupId: id } });
    }
  });

  router.post('/working-groups/:id/members', canManage(), async (req, res) => {
    const id = idParam(req.params.id);
    try {
      await groups.addMember(req.user!, id, parseForm(MemberInputSchema, req.body));
      req.session.flash = { kind: 'success', key: 'workingGroups.flash.memberAdded' };
      res.redirect(303, `/working-groups/${id}#members`);
    } catch (err) {
      const { errors, formError } = validationLocals(req, err);
      await renderGroup(req, res, id, { status: 422, memberErrors: errors, memberFormError: formError, memberValues: req.body });
    }
  });

  router.post('/working-groups/:id/members/:memberId/delete', canManage(), async (req, res) => {
    const id = idParam(req.params.id);
    await groups.removeMember(req.user!, id, idParam(req.params.memberId));
    req.session.flash = { kind: 'success', key: 'workingGroups.flash.memberRemoved' };
    res.redirect(303, `/working-groups/${id}#members`);
  });

  router.post('/working-groups/:id/staff', canManage(), async (req, res) => {
    const id = idParam(req.params.id);
    try {
      await groups.assignStaff(req.user!, id, parseForm(StaffAssignmentSchema, req.body));
      req.session.flash = { kind: 'success', key: 'workingGroups.flash.staffAssigned' };
      res.redirect(303, `/working-groups/${id}#staff`);
    } catch (err) {
      const { errors, formError } = validationLocals(req, err);
      await renderGroup(req, res, id, { status: 422, staffErrors: errors, staffFormError: formError, staffValues: req.body });
    }
  });

  router.post('/working-groups/:id/staff/:staffMemberId/delete', canManage(), async (req, res) => {
    const id = idParam(req.params.id);
    await groups.removeStaff(req.user!, id, idParam(req.params.staffMemberId));
    req.session.flash = { kind: 'success', key: 'workingGroups.flash.staffRemoved' };
    res.redirect(303, `/working-groups/${id}#staff`);
  });

  const importLocals = (req: Request, group: WorkingGroup) => ({
    title: req.t('workingGroups.import.title', { name: group.name }),
    group,
    columns: MEMBER_IMPORT_COLUMNS,
    roles: MEMBER_ROLES,
  });

  router.get(WORKING_GROUP_IMPORT_ROUTE, canManage(), async (req, res) => {
    const group = await requireGroup(req);
    res.render('working-groups/import', importLocals(req, group));
  });

  router.post(WORKING_GROUP_IMPORT_ROUTE, canManage(), ...acceptUpload, async (req, res) => {
    const group = await requireGroup(req);
    const locals = importLocals(req, group);
    let csv: string;
    try {
      csv = requiredUploadText(req, 'csv', 'workingGroups.import.noFile');
    } catch (err) {
      renderFormErrors(req, res, 'working-groups/import', locals, err);
      return;
    }
    const outcome = await groups.importMembers(req.user!, group.id, csv);
    if (!outcome.ok) {
      res.status(422).render('working-groups/import', {
        ...locals,
        problems: outcome.problems.map((p) => ({ line: p.line, field: p.field, message: req.t(p.messageKey, p.values) })),
      });
      return;
    }
    res.render('working-groups/import', {
      ...locals,
      result: outcome,
      lines: outcome.lines.map((l) => ({
        line: l.line,
        email: l.email,
        status: l.status,
        statusLabel: req.t(`workingGroups.import.status.${l.status}`),
        field: l.field ?? '',
        message: l.messageKey ? req.t(l.messageKey, l.values) : '',
      })),
    });
  });

  return router;
}
