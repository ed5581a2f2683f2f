// The mini-program's applicant path and one staff action, written against the client
// generated from the API document. tests/contract/test_typescript_client.py type-checks it
// with `tsc --strict`: no casts, and no guards for fields the server always sends.
import createClient from "openapi-fetch";
import type { components, paths } from "./api";

type Application = components["schemas"]["Application"];

const baseUrl = "http://127.0.0.1:8000";

/** The body of a successful answer; a problem (with its stable `code`) is thrown. */
function body<Data, Problem>(result: { data?: Data; error?: Problem }): Data {
  if (result.error !== undefined || result.data === undefined) {
    throw new Error(JSON.stringify(result.error));
  }
  return result.data;
}

function bearer(token: string) {
  return createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });
}

export async function applicantPath(): Promise<Application> {
  const guest = createClient<paths>({ baseUrl });
  const login = body(await guest.POST("/api/v1/auth/wechat", { body: { code: "wx-login-code" } }));
  const api = bearer(login.token);
  const expiresInHours: number = login.expires_in / 3600;

  const enterprise = body(
    await api.POST("/api/v1/enterprises", {
      body: {
        name: "天津示例化工有限公司",
        credit_code: "91120101MA05KX0X3P",
        legal_representative: "张三",
        address: "天津市和平区示例路1号",
        region_code: "120101",
        contact_phone: "13800138000",
      },
    }),
  );

  let draft = body(
    await api.POST("/api/v1/applications", {
      body: {
        enterprise_id: enterprise.id,
        permit_type: "hazchem-trading",
        kind: "new",
        form: { business_scope: ["汽油"], storage_capacity: 10 },
        delivery: { recipient: "张三", phone: "13800138000", address: "天津市和平区示例路1号" },
      },
      headers: { "Idempotency-Key": "draft-1" },
    }),
  );
  const todo: string[] = draft.missing_materials.map((m) => `${m.name}（${m.reason}）`);
  const gaps: string[] = Object.keys(draft.form_errors);

  const material = draft.materials[0].code;
  const uploaded = body(
    await api.POST("/api/v1/applications/{application_id}/documents", {
      params: { path: { application_id: draft.id } },
      body: { material, file: new Blob(["%PDF-1.4"], { type: "application/pdf" }) },
      bodySerializer(fields) {
        const form = new FormData();
        form.append("material", fields.material);
        form.append("file", fields.file, "licence.pdf");
        return form;
      },
    }),
  );
  const sizeKb: number = uploaded.size / 1024;

  if (draft.actions.includes("submit")) {
    draft = body(
      await api.POST("/api/v1/applications/{application_id}/actions", {
        params: { path: { application_id: draft.id } },
        body: { action: "submit", version: uploaded.application_version },
      }),
    );
  }

  const read = body(
    await api.GET("/api/v1/applications/{application_id}", {
      params: { path: { application_id: draft.id } },
    }),
  );
  const shown = `${read.number} ${read.state_label} ${read.enterprise.name}`;
  const due: string | undefined = read.deadline?.due;
  const submittedAt: string | null = read.submitted_at;
  if (read.state === "submitted" && read.supplement_request !== null) {
    const asked: string[] = read.supplement_request.materials;
    console.log(asked.join("、"));
  }

  const timeline = body(
    await api.GET("/api/v1/applications/{application_id}/timeline", {
      params: { path: { application_id: draft.id } },
    }),
  );
  const steps = timeline.items.map((e) => `${e.at} ${e.actor} ${e.action} → ${e.to_state}`);
  const notices = timeline.items.flatMap((e) => (e.notice === null ? [] : [e.notice.number]));

  const inbox = body(await api.GET("/api/v1/notifications", { params: { query: { page: 1 } } }));
  const unread: number = inbox.unread;
  const caseNews = inbox.items.filter((n) => n.topic === "case" && !n.read).map((n) => n.title);

  const pdf = body(
    await api.GET("/api/v1/applications/{application_id}/documents/{document_id}/content", {
      params: { path: { application_id: draft.id, document_id: uploaded.id } },
      parseAs: "blob",
    }),
  );
  const bytes: Blob = pdf;

  console.log(expiresInHours, todo, gaps, sizeKb, shown, due, submittedAt, steps, notices);
  console.log(unread, caseNews, bytes.size);
  return read;
}

export async function clerkAccepts(application: Application): Promise<string> {
  const guest = createClient<paths>({ baseUrl });
  const login = body(
    await guest.POST("/api/v1/auth/staff", {
      body: { username: "clerk", password: "demo-pass-2026" },
    }),
  );
  const roles: string[] | undefined = login.user.roles;
  const staff = bearer(login.token);
  const queue = body(await staff.GET("/api/v1/review/queue", { params: { query: {} } }));
  const overdue = queue.items.filter((item) => item.overdue).length;
  const accepted = body(
    await staff.POST("/api/v1/applications/{application_id}/actions", {
      params: { path: { application_id: application.id } },
      body: { action: "accept", version: application.version },
      headers: { "If-Match": String(application.version) },
    }),
  );
  console.log(roles, overdue);
  return accepted.state_label;
}
