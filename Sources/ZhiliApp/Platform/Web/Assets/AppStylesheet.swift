/// The back office's stylesheet: calm, legible, works from a phone to a 1366×768 screen.
enum AppStylesheet {
    static let text = #"""
:root{--bg:#f4f6f9;--card:#fff;--ink:#1d2733;--muted:#667085;--line:#e3e8ef;--brand:#c8102e;--brand-dark:#9e0c24;--accent:#1f6feb;--ok:#1a7f37;--warn:#b25e00;--bad:#c8102e;--radius:10px;
font-family:"Noto Sans CJK SC","Noto Sans SC","PingFang SC","Microsoft YaHei",system-ui,-apple-system,"Segoe UI",sans-serif}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font-size:15px;line-height:1.55}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}h3{font-size:1.05rem;margin:0 0 .25rem}
.muted{color:var(--muted)}.small{font-size:.85rem}.center{text-align:center}.mono{font-family:"DejaVu Sans Mono",ui-monospace,monospace;font-size:.9em}
.topbar{display:flex;align-items:center;justify-content:space-between;background:#fff;border-bottom:3px solid var(--brand);padding:.5rem 1.25rem;position:sticky;top:0;z-index:1000}
.brand{display:flex;align-items:baseline;gap:.6rem;color:var(--ink)}.brand:hover{text-decoration:none}
.brand-mark{font-weight:800;font-size:1.35rem;color:var(--brand);letter-spacing:.08em}.brand-mark.big{font-size:2.4rem}
.brand-sub{color:var(--muted);font-size:.9rem}
.account{display:flex;align-items:center;gap:1rem;font-size:.9rem}.who{color:var(--muted)}
.inline{display:inline}.link-button{background:none;border:0;color:var(--accent);cursor:pointer;font:inherit;padding:0}
.frame{display:flex;min-height:calc(100vh - 56px)}
.sidenav{width:200px;flex:none;background:#1d2733;padding:1rem 0}
.sidenav ul{list-style:none;margin:0;padding:0}
.sidenav a{display:block;color:#cfd6e0;padding:.6rem 1.25rem;border-left:3px solid transparent}
.sidenav a:hover{background:#263240;text-decoration:none;color:#fff}
.sidenav .badge{display:inline-block;min-width:1.2rem;margin-left:.4rem;padding:0 .35rem;border-radius:999px;background:#c8102e;color:#fff;font-size:.75rem;line-height:1.2rem;text-align:center}
.sidenav .badge[hidden]{display:none}
ul.messages{list-style:none;padding:0;margin:1rem 0;display:flex;flex-direction:column;gap:.5rem;max-width:760px}
.message-open{display:block;width:100%;text-align:left;background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:.8rem 1rem;font:inherit;color:inherit;cursor:pointer}
.message-open p{margin:.3rem 0 0}.message-title{font-weight:600;margin-right:.75rem}
.message.unread .message-open{border-left:4px solid var(--brand);background:#fff8f8}
.settings-form{max-width:480px}.settings-form label{align-self:stretch}.settings-form input[type=tel]{display:block;width:100%;box-sizing:border-box;margin-top:.3rem}.settings-form label.check{display:flex;flex-direction:row-reverse;justify-content:flex-end;gap:.5rem;align-items:center}
.sidenav a.active{background:#263240;color:#fff;border-left-color:var(--brand)}
.content{flex:1;padding:1.5rem 2rem;max-width:1100px}.content.wide{max-width:none}
.page-head{margin-bottom:1.25rem}.page-head.split{display:flex;justify-content:space-between;gap:1.5rem;align-items:flex-start}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:1rem;margin-bottom:1.5rem}
.stat{background:var(--card);border-radius:var(--radius);padding:1rem 1.25rem;box-shadow:0 1px 2px rgba(16,24,40,.06);border:1px solid var(--line)}
.figure{display:block;font-size:1.7rem;font-weight:700;font-variant-numeric:tabular-nums}.figure-label{color:var(--muted);font-size:.9rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:var(--radius);padding:1.25rem;box-shadow:0 1px 2px rgba(16,24,40,.06)}
.action-card{color:var(--ink);display:block}.action-card:hover{border-color:var(--accent);text-decoration:none}
table.data{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:var(--radius);overflow:hidden;font-size:.92rem}
table.data th{background:#f0f3f7;text-align:left;font-weight:600;color:#344054;padding:.55rem .75rem;border-bottom:1px solid var(--line)}
table.data td{padding:.5rem .75rem;border-bottom:1px solid var(--line)}table.data tr:last-child td{border-bottom:0}
table.data tr:hover td{background:#fafbfc}
.pill{display:inline-block;border-radius:999px;padding:.05rem .6rem;font-size:.8rem;background:#eef2f6;margin-right:.25rem}
.pill.ok{background:#e6f4ea;color:var(--ok)}.pill.bad{background:#fde8ea;color:var(--bad)}.pill.warn{background:#fff4e0;color:var(--warn)}
.method-get{background:#e7f0fe;color:#1f6feb}.method-post{background:#e6f4ea;color:#1a7f37}.method-patch{background:#fff4e0;color:#b25e00}.method-delete{background:#fde8ea;color:#c8102e}
.breadcrumbs{list-style:none;display:flex;flex-wrap:wrap;gap:.35rem;padding:0;margin:0 0 1rem;font-size:.9rem}
.breadcrumbs li+li:before{content:"›";color:var(--muted);margin-right:.35rem}
button,.button{font:inherit;border-radius:8px;border:1px solid var(--line);background:#fff;padding:.5rem 1rem;cursor:pointer;display:inline-block;color:var(--ink)}
button.primary{background:var(--brand);border-color:var(--brand);color:#fff}button.primary:hover{background:var(--brand-dark)}
button.wide{width:100%}
input[type=text],input[type=password],input[type=search],input[type=tel],select{font:inherit;border:1px solid #cfd6e0;border-radius:8px;padding:.55rem .7rem;background:#fff;width:100%}
input:focus{outline:2px solid rgba(31,111,235,.35);border-color:var(--accent)}
.filters{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:1rem}.filters input{width:auto;flex:1 1 160px}
.alert{background:#fde8ea;color:var(--bad);border-radius:8px;padding:.6rem .8rem;margin:0 0 1rem}
.login-body{min-height:100vh;display:flex;align-items:center;justify-content:center;background:linear-gradient(135deg,#fbeaec 0%,#f4f6f9 45%,#e8eef8 100%)}
.login-card{width:min(420px,92vw);background:#fff;border-radius:16px;padding:2rem 2rem 1.25rem;box-shadow:0 12px 40px rgba(16,24,40,.12)}
.login-brand{text-align:center;margin-bottom:1.5rem}.login-brand h1{font-size:1.25rem;margin-top:.25rem}
.login-form label{display:block;font-size:.9rem;color:#344054;margin-bottom:1rem}.login-form input{margin-top:.3rem}
.map{height:calc(100vh - 220px);min-height:420px;border-radius:var(--radius);border:1px solid var(--line);background:#eef1f4}
.map-info{margin-top:.75rem;color:var(--muted)}
.qr{width:168px;height:168px;border:1px solid var(--line);border-radius:8px;background:#fff;padding:4px}
.error-card{max-width:560px}.small-map{height:260px;min-height:220px;width:100%}.tell-form,.wide-form{max-width:640px}.wide-form{max-width:800px}.tell-form label,.wide-form label{width:100%}.tell-form textarea,.wide-form textarea{box-sizing:border-box;width:100%;font:inherit;border:1px solid #cfd6e0;border-radius:8px;padding:.55rem .7rem}ol.timeline{padding-left:1.2rem}ol.timeline li{margin:.35rem 0}.primary-link{background:var(--brand);color:#fff;border-color:var(--brand)}pre.diff{background:#f6f8fa;border-radius:8px;padding:.6rem .8rem;white-space:pre-wrap;font-size:.9rem}.actions{display:flex;gap:.75rem;flex-wrap:wrap;align-items:center}.review{margin-bottom:1rem}.stack{display:flex;flex-direction:column;gap:.6rem;align-items:flex-start}.filters select{width:auto}.lead{font-size:1.1rem}
svg.chart{width:100%;height:auto;display:block}svg.chart .bar{fill:#1f6feb;opacity:.85}svg.chart .line{stroke:#c8102e;stroke-width:2;fill:none}svg.chart .dot{fill:#c8102e}svg.chart .grid{stroke:#e4e8ee;stroke-width:1}svg.chart .axis{font-size:11px;fill:#57606a}.chart-card{min-width:0}td.num{text-align:right;font-variant-numeric:tabular-nums}.legend-bad{color:#c8102e}.legend-wait{color:#b25e00}.legend-ok{color:#1f6feb}
fieldset.questions{border:1px solid var(--line);border-radius:8px;padding:.5rem .8rem;width:100%;box-sizing:border-box}fieldset.questions legend{font-weight:600;padding:0 .3rem}.choices{display:flex;flex-wrap:wrap;gap:.4rem .9rem;align-items:center}.choices .field-label{width:100%}label.check{display:inline-flex;flex-direction:row-reverse;gap:.3rem;align-items:center;width:auto}dl.answers{display:grid;grid-template-columns:max-content 1fr;gap:.2rem .8rem}dl.answers dt{color:#57606a}
.photo-strip{display:flex;flex-wrap:wrap;gap:.5rem;margin:.4rem 0}.photo-strip .thumb,.photo .thumb{width:104px;height:104px;object-fit:cover;border-radius:8px;border:1px solid #dde3ea;display:block}.photo{display:flex;flex-direction:column;align-items:center;gap:.15rem;text-decoration:none}
@media (max-width:760px){.frame{flex-direction:column}.sidenav{width:auto;padding:0}.sidenav ul{display:flex;overflow-x:auto}
.sidenav a{white-space:nowrap;border-left:0;border-bottom:3px solid transparent}.sidenav a.active{border-bottom-color:var(--brand)}
.content{padding:1rem}.brand-sub,.who{display:none}.page-head.split{flex-direction:column}table.data{font-size:.85rem}}
"""#
}
