// A fictional organisation shaped like ICANN's: executives at the head of chains, people managers,
// community-facing staff. Listed managers-first so each manager exists before their reports.
export interface DemoStaffMember {
  email: string;
  name: string;
  title: string;
  department: string;
  manager: string | null;
  communityFacing: boolean;
  executive: boolean;
}

const person = (
  email: string,
  name: string,
  title: string,
  department: string,
  manager: string | null,
  flags: { communityFacing?: boolean; executive?: boolean } = {},
): DemoStaffMember => ({ email, name, title, department, manager, communityFacing: flags.communityFacing ?? false, executive: flags.executive ?? false });

const CEO = 'ceo@demo.example';
const EXEC = 'executive@demo.example';
const MANAGER = 'manager@demo.example';
const GC = 'general.counsel@demo.example';
const COO = 'coo@demo.example';
const GSE = 'gse.head@demo.example';

export const DEMO_STAFF: DemoStaffMember[] = [
  person(CEO, 'Amara Okafor', 'President and Chief Executive Officer', 'Executive Office', null, { communityFacing: true, executive: true }),
  person(EXEC, 'Daniel Weiss', 'Senior Vice President, Policy Development Support', 'Policy Development Support', CEO, { communityFacing: true, executive: true }),
  person(GC, 'Mei Tanaka', 'General Counsel', 'Legal', CEO, { executive: true }),
  person(COO, 'Rafael Castillo', 'Chief Operating Officer', 'Executive Office', CEO, { executive: true }),
  person(GSE, 'Leila Haddad', 'Senior Vice President, Global Stakeholder Engagement', 'Global Stakeholder Engagement', CEO, { communityFacing: true, executive: true }),
  person(MANAGER, 'Priya Raman', 'Director, GNSO Policy Support', 'Policy Development Support', EXEC, { communityFacing: true }),
  person('ccnso.director@demo.example', 'Jonas Lindqvist', 'Director, ccNSO Policy Support', 'Policy Development Support', EXEC, { communityFacing: true }),
  person('staff@demo.example', 'Samuel Mensah', 'Policy Manager', 'Policy Development Support', MANAGER, { communityFacing: true }),
  person('policy.analyst1@demo.example', 'Ana Ferreira', 'Senior Policy Analyst', 'Policy Development Support', MANAGER, { communityFacing: true }),
  person('policy.analyst2@demo.example', 'Ivan Petrov', 'Policy Analyst', 'Policy Development Support', MANAGER, { communityFacing: true }),
  person('policy.coordinator@demo.example', 'Fatima Zahra Benali', 'Policy Coordinator', 'Policy Development Support', MANAGER, { communityFacing: true }),
  person('ccnso.manager@demo.example', 'Chen Wei', 'ccNSO Policy Manager', 'Policy Development Support', 'ccnso.director@demo.example', { communityFacing: true }),
  person('ccnso.specialist@demo.example', 'Lucía Gómez', 'Policy Specialist', 'Policy Development Support', 'ccnso.director@demo.example', { communityFacing: true }),
  person('alac.support@demo.example', 'Kwame Asante', 'At-Large Policy Manager', 'Policy Development Support', EXEC, { communityFacing: true }),
  person('gac.support@demo.example', 'Sophie Laurent', 'GAC Support Manager', 'Policy Development Support', EXEC, { communityFacing: true }),
  person('gse.africa@demo.example', 'Nadia Abdi', 'Vice President, Stakeholder Engagement, Africa', 'Global Stakeholder Engagement', GSE, { communityFacing: true }),
  person('gse.apac@demo.example', 'Hiroshi Sato', 'Vice President, Stakeholder Engagement, Asia Pacific', 'Global Stakeholder Engagement', GSE, { communityFacing: true }),
  person('gse.lac@demo.example', 'Valentina Rossi', 'Vice President, Stakeholder Engagement, Latin America', 'Global Stakeholder Engagement', GSE, { communityFacing: true }),
  person('gse.mea@demo.example', 'Omar Al-Masri', 'Vice President, Stakeholder Engagement, Middle East', 'Global Stakeholder Engagement', GSE, { communityFacing: true }),
  person('gse.europe@demo.example', 'Katarzyna Nowak', 'Stakeholder Engagement Director, Europe', 'Global Stakeholder Engagement', GSE, { communityFacing: true }),
  person('gse.na@demo.example', 'Michael Brown', 'Stakeholder Engagement Director, North America', 'Global Stakeholder Engagement', GSE, { communityFacing: true }),
  person('gds.head@demo.example', 'Elena Popescu', 'Vice President, Global Domains and Strategy', 'Global Domains and Strategy', COO, { communityFacing: true }),
  person('gds.registry@demo.example', 'Tomás Herrera', 'Registry Services Manager', 'Global Domains and Strategy', 'gds.head@demo.example', { communityFacing: true }),
  person('gds.registrar@demo.example', 'Aisha Bello', 'Registrar Services Manager', 'Global Domains and Strategy', 'gds.head@demo.example', { communityFacing: true }),
  person('gds.specialist@demo.example', 'Lars Johansson', 'Technical Services Specialist', 'Global Domains and Strategy', 'gds.head@demo.example', { communityFacing: true }),
  person('compliance.head@demo.example', 'Grace Njoroge', 'Vice President, Contractual Compliance', 'Contractual Compliance', GC, { communityFacing: true }),
  person('compliance.lead@demo.example', 'Pedro Alves', 'Compliance Lead', 'Contractual Compliance', 'compliance.head@demo.example', { communityFacing: true }),
  person('compliance.analyst@demo.example', 'Yuki Yamamoto', 'Compliance Analyst', 'Contractual Compliance', 'compliance.head@demo.example'),
  person('complaints@demo.example', 'Hannah Schmidt', 'Complaints Officer', 'Complaints Office', GC, { communityFacing: true }),
  person('complaints.coordinator@demo.example', 'Ravi Kumar', 'Complaints Coordinator', 'Complaints Office', 'complaints@demo.example'),
  person('legal.counsel@demo.example', 'Isabel Moreno', 'Associate General Counsel', 'Legal', GC),
  person('hr.head@demo.example', 'Olga Ivanova', 'Vice President, Human Resources', 'Human Resources', COO),
  person('hr@demo.example', 'Thandiwe Dlamini', 'HR Business Partner', 'Human Resources', 'hr.head@demo.example'),
  person('hr.specialist@demo.example', 'Ahmed Youssef', 'HR Specialist', 'Human Resources', 'hr.head@demo.example'),
  person('it.head@demo.example', 'Benjamin Clarke', 'Chief Information Officer', 'Information Technology', COO),
  person('admin@demo.example', 'Marta Kowalczyk', 'Systems Administrator', 'Information Technology', 'it.head@demo.example'),
  person('admin2@demo.example', 'Tomás Herrera', 'Systems Administrator', 'Information Technology', 'it.head@demo.example'),
  person('it.engineer@demo.example', 'Diego Ramírez', 'Software Engineer', 'Information Technology', 'it.head@demo.example'),
  person('finance.head@demo.example', 'Sarah Cohen', 'Chief Financial Officer', 'Finance', COO, { executive: true }),
  person('finance.analyst@demo.example', 'Arjun Mehta', 'Financial Analyst', 'Finance', 'finance.head@demo.example'),
  person('comms.head@demo.example', 'Claire Dubois', 'Vice President, Communications', 'Communications', CEO, { communityFacing: true }),
  person('comms.manager@demo.example', 'Kofi Boateng', 'Communications Manager', 'Communications', 'comms.head@demo.example', { communityFacing: true }),
  person('language.services@demo.example', 'Zhang Min', 'Language Services Manager', 'Communications', 'comms.head@demo.example', { communityFacing: true }),
];

export const DEMO_COMMUNITY_MEMBERS: Array<{ email: string; name: string }> = [
  { email: 'member@demo.example', name: 'Alex Rivera' },
  { email: 'gnso.councillor@demo.example', name: 'Beatriz Santos' },
  { email: 'alac.member@demo.example', name: 'Chidi Eze' },
  { email: 'ccnso.member@demo.example', name: 'Dana Kowalski' },
  { email: 'gac.representative@demo.example', name: 'Emre Yilmaz' },
  { email: 'ssac.member@demo.example', name: 'Farah Siddiqui' },
  { email: 'rssac.member@demo.example', name: 'Gustavo Lima' },
  { email: 'ncsg.member@demo.example', name: 'Hye-jin Park' },
];
