import { Router, type RequestHandler } from 'express';
import { ORGANISATION_ROLES } from '../../platform/auth/roles';
import { NotFoundError } from '../../platform/errors';
import { access } from '../../platform/http/access';
import { JOB_BATCH_SIZE, type BackgroundJobs } from '../../platform/jobs';
import { idParam, pageNumber, paginationView, parseForm, renderFormErrors, requiredUploadText } from '../../platform/http/forms';
import { DepartmentInputSchema, STAFF_PAGE_SIZE, StaffInputSchema, type StaffMember } from './directory.schema';
import type { DirectoryService, ImportState } from './directory.service';
import { IMPORT_COLUMNS } from './staff-import';

const canRead = () => access.roles(...ORGANISATION_ROLES);
const canEdit = () => access.roles('hr', 'admin');

function formValues(member: StaffMember, managerEmail: string) {
  return {
    email: member.email,
    name: member.name,
    title: member.title,
    department: member.departmentName ?? '',
    managerEmail,
    communityFacing: member.communityFacing,
    isExecutive: member.isExecutive,
  };
}


export const DIRECTORY_IMPORT_PATH = '/directory/import';

/** `acceptUpload` reads the CSV file and then checks the CSRF token (see createCsrf). */
export function createDirectoryRoutes(directory: DirectoryService, acceptUpload: RequestHandler[], jobs: BackgroundJobs): Router {
  const router = Router({ caseSensitive: true });

  router.get('/directory', canRead(), async (req, res) => {
    const query = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
    const departmentId = Number(req.query.department) || undefined;
    const page = await directory.listStaff({ query, departmentId, page: pageNumber(req.query.page), pageSize: STAFF_PAGE_SIZE });
    res.render('directory/index', {
      title: req.t('directory.title'),
      staff: page.items,
      pagination: paginationView(page, '/directory', { q: query, department: departmentId }),
      query,
      departmentId,
      departments: await directory.listDepartments(),
      canEdit: req.user!.roles.some((r) => r === 'hr' || r === 'admin'),
    });
  });

  router.get('/directory/staff/new', canEdit(), async (req, res) => {
    res.render('directory/staff-form', { title: req.t('directory.staff.newTitle'), action: '/directory/staff', values: {}, departments: await directory.listDepartments() });
  });

  router.post('/directory/staff', canEdit(), async (req, res) => {
    const locals = { title: req.t('directory.staff.newTitle'), action: '/directory/staff', values: req.body, departments: await directory.listDepartments() };
    try {
      const id = await directory.createStaff(req.user!, parseForm(StaffInputSchema, req.body));
      req.session.flash = { kind: 'success', key: 'directory.staff.created' };
      res.redirect(303, `/directory/staff/${id}`);
    } catch (err) {
      renderFormErrors(req, res, 'directory/staff-form', locals, err);
    }
  });

  router.get('/directory/staff/:id', canRead(), async (req, res) => {
    const profile = await directory.getProfile(idParam(req.params.id));
    res.render('directory/staff', {
      title: profile.member.name,
      profile,
      canEdit: req.user!.roles.some((r) => r === 'hr' || r === 'admin'),
    });
  });

  router.get('/directory/staff/:id/edit', canEdit(), async (req, res) => {
    const profile = await directory.getProfile(idParam(req.params.id));
    res.render('directory/staff-form', {
      title: req.t('directory.staff.editTitle', { name: profile.member.name }),
      action: `/directory/staff/${profile.member.id}`,
      values: formValues(profile.member, profile.chain[0]?.email ?? ''),
      departments: await directory.listDepartments(),
    });
  });

  router.post('/directory/staff/:id', canEdit(), async (req, res) => {
    const id = idParam(req.params.id);
    const locals = { title: req.t('directory.staff.editTitle', { name: '' }), action: `/directory/staff/${id}`, values: req.body, departments: await directory.listDepartments() };
    try {
      await directory.updateStaff(req.user!, id, parseForm(StaffInputSchema, req.body));
      req.session.flash = { kind: 'success', key: 'directory.staff.updated' };
      res.redirect(303, `/directory/staff/${id}`);
    } catch (err) {
      renderFormErrors(req, res, 'directory/staff-form', locals, err);
    }
  });

  router.get('/directory/departments', canRead(), async (req, res) => {
    res.render('directory/departments', {
      title: req.t('directory.departments.title'),
      departments: await directory.listDepartments(),
      canEdit: req.user!.roles.some((r) => r === 'hr' || r === 'admin'),
      values: {},
    });
  });

  router.post('/directory/departments', canEdit(), async (req, res) => {
    try {
      const { name } = parseForm(DepartmentInputSchema, req.body);
      await directory.createDepartment(req.user!, name);
      req.session.flash = { kind: 'success', key: 'directory.departments.created' };
      res.redirect(303, '/directory/departments');
    } catch (err) {
      const locals = { title: req.t('directory.departments.title'), departments: await directory.listDepartments(), canEdit: true, values: req.body };
      renderFormErrors(req, res, 'directory/departments', locals, err);
    }
  });

  router.post('/directory/departments/:id', canEdit(), async (req, res) => {
    const id = idParam(req.params.id);
    try {
      const { name } = parseForm(DepartmentInputSchema, req.body);
      await directory.renameDepartment(req.user!, id, name);
      req.session.flash = { kind: 'success', key: 'directory.departments.renamed' };
      res.redirect(303, '/directory/departments');
    } catch (err) {
      const locals = { title: req.t('directory.departments.title'), departments: await directory.listDepartments(), canEdit: true, values: {}, renameId: id, renameValue: req.body?.name };
      renderFormErrors(req, res, 'directory/departments', locals, err);
    }
  });

  router.get('/directory/import', canEdit(), (req, res) => {
    res.render('directory/import', { title: req.t('directory.import.title'), columns: IMPORT_COLUMNS });
  });

  router.get('/directory/import/template.csv', canEdit(), (_req, res) => {
    res.type('text/csv').attachment('directory-template.csv');
    res.send(`${IMPORT_COLUMNS.join(',')}\r\nada@example.org,Ada Example,Policy Director,Policy Development Support,,yes,no\r\n`);
  });

  router.post(DIRECTORY_IMPORT_PATH, canEdit(), ...acceptUpload, async (req, res) => {
    const locals = { title: req.t('directory.import.title'), columns: IMPORT_COLUMNS };
    let csv: string;
    try {
      csv = requiredUploadText(req, 'csv', 'directory.import.noFile');
    } catch (err) {
      renderFormErrors(req, res, 'directory/import', locals, err);
      return;
    }
    const outcome = await directory.importStaffCsv(req.user!, csv);
    if (!outcome.ok) {
      res.status(422).render('directory/import', {
        ...locals,
        problems: outcome.problems.map((p) => ({ line: p.line, field: p.field, message: req.t(p.messageKey, p.values) })),
      });
      return;
    }
    // A file of one batch is written before the answer, as it always was; a larger one is followed
    // on its progress page while other requests go on being served between its batches.
    if (outcome.rows <= JOB_BATCH_SIZE) await jobs.runOnce({ publicId: outcome.job });
    const job = await jobs.find(outcome.job, req.user!.accountId);
    if (job.status !== 'done') return res.redirect(303, `/jobs/${outcome.job}`);
    res.render('directory/import', { ...locals, result: job.state as ImportState });
  });

  router.get('/team', access.roles('manager', 'executive'), async (req, res) => {
    const staffMemberId = req.user!.staffMemberId;
    res.render('directory/team', { title: req.t('team.title'), team: staffMemberId ? await directory.listTeam(staffMemberId) : [] });
  });

  // Ownership: a manager sees only people below them in the chain; anyone else is "not found".
  router.get('/team/:id', access.roles('manager', 'executive'), async (req, res) => {
    const id = idParam(req.params.id);
    const staffMemberId = req.user!.staffMemberId;
    if (!staffMemberId || !(await directory.isInChainBelow(staffMemberId, id))) throw new NotFoundError();
    const profile = await directory.getProfile(id);
    res.render('directory/staff', { title: profile.member.name, profile, canEdit: false, inTeam: true });
  });

  return router;
}
