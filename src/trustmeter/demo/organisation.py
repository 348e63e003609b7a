"""Who Northwind is: its services, staff, leavers, skills, stakeholders and objectives.

The fixed facts every record family draws on. The draws themselves (who resolves what, when
people meet) live with the family that makes them; this module holds no randomness.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

TZ_NAME = "Europe/Berlin"
TZ = ZoneInfo(TZ_NAME)
DOMAIN = "northwind.example"
BUSINESS_UNITS = ("Finance", "Sales", "Operations", "HR", "Marketing")
WELL_SERVED, NEGLECTED = "Sales", "Operations"
KEY_SERVICE, KEY_PERSON = "ERP", "E1017"

# -- the organisation -----------------------------------------------------------------------

# id, name, tier, owner team, business unit, availability SLO (%)
SERVICES = (
    ("ERP", "SAP S/4HANA ERP", 1, "Applications", "Finance", 99.9),
    ("PAYROLL", "Payroll (SAP HCM)", 1, "Applications", "HR", 99.9),
    ("ECOM", "Webshop & checkout", 1, "Applications", "Sales", 99.9),
    ("IDENTITY", "Identity & single sign-on", 1, "Security", "", 99.9),
    ("CRM", "CRM (Salesforce)", 2, "Applications", "Sales", 99.5),
    ("WMS", "Warehouse management", 2, "Applications", "Operations", 99.5),
    ("DWH", "Data warehouse & BI", 2, "Data", "Finance", 99.0),
    ("M365", "Email & collaboration (Microsoft 365)", 2, "Infrastructure", "", 99.5),
    ("NETWORK", "Network & VPN", 2, "Infrastructure", "", 99.5),
    ("ENDPOINT", "Laptops, phones & printing", 3, "Service Desk", "", 99.0),
    ("HRPORTAL", "HR self-service portal", 3, "Applications", "HR", 99.0),
    ("MARTECH", "Marketing automation", 3, "Data", "Marketing", 99.0),
)
# A server the CMDB never heard of: its incidents make the importer create a stub service.
UNLISTED = "LEGACY-FTP"
SERVICE_TEAM = {**{s[0]: s[3] for s in SERVICES}, UNLISTED: "Infrastructure"}

# id, team, job title, hired (days from the start of the history; negative = before), on call
STAFF = (
    ("E1001", "IT Management", "Head of IT", -2900, False),
    ("E1002", "IT Management", "Business Relationship Manager", -700, False),
    ("E1003", "Service Desk", "Service Desk Lead", -3100, False),
    *(
        (f"E{1004 + i}", "Service Desk", "Service Desk Analyst", -300 - 240 * i, False)
        for i in range(8)
    ),
    ("E1012", "Applications", "Head of Applications", -2500, False),
    ("E1013", "Applications", "Scrum Master", -900, False),
    ("E1014", "Applications", "Software Engineer", -1500, True),
    ("E1015", "Applications", "Software Engineer", -1100, True),
    ("E1016", "Applications", "Software Engineer", -600, False),
    ("E1017", "Applications", "SAP Consultant (FI/CO, Basis)", -4200, True),
    ("E1018", "Applications", "SAP Developer", -2000, True),
    ("E1019", "Applications", "Software Engineer", -800, False),
    ("E1020", "Applications", "QA Engineer", -1300, False),
    ("E1021", "Applications", "Software Engineer (HR systems)", -1700, False),
    ("E1022", "Infrastructure", "Infrastructure Lead", -3300, False),
    ("E1023", "Infrastructure", "Network Engineer", -2100, True),
    ("E1024", "Infrastructure", "Network Engineer", -1000, True),
    ("E1025", "Infrastructure", "Systems Engineer", -2600, True),
    ("E1026", "Infrastructure", "Systems Engineer", -1400, True),
    ("E1027", "Infrastructure", "Systems Engineer", -500, True),
    ("E1028", "Infrastructure", "Cloud Engineer", -750, True),
    ("E1029", "Infrastructure", "Platform Engineer", -400, True),
    ("E1030", "Infrastructure", "Database Administrator", -2800, True),
    ("E1031", "Data", "Head of Data", -1600, False),
    ("E1032", "Data", "Data Engineer", -1200, False),
    ("E1033", "Data", "Data Engineer", -700, False),
    ("E1034", "Data", "Data Engineer", -300, False),
    ("E1035", "Data", "BI Analyst", -1900, False),
    ("E1036", "Data", "BI Analyst", -450, False),
    ("E1037", "Security", "Information Security Lead", -1800, False),
    ("E1038", "Security", "Security Engineer", -900, True),
    ("E1039", "Security", "Security Engineer", -350, False),
    ("E1040", "Security", "IAM Engineer", -1500, True),
    ("E1041", "Security", "IAM Engineer", -650, True),
    # left in the year before the history: the turnover that came with the outages
    ("E0981", "Applications", "Software Engineer", -1900, True),
    ("E0984", "Infrastructure", "Systems Engineer", -2200, True),
    ("E0988", "Data", "Data Engineer", -1300, False),
    ("E0990", "Infrastructure", "Network Engineer", -1600, True),
    ("E0993", "Service Desk", "Service Desk Analyst", -900, False),
    # hired during the history
    ("E1042", "Applications", "Software Engineer", 150, True),
    ("E1043", "Service Desk", "Service Desk Analyst", 190, False),
    ("E1044", "Infrastructure", "Systems Engineer", 280, True),
    ("E1045", "Applications", "SAP Consultant (junior)", 490, True),
    ("E1046", "Infrastructure", "Network Engineer", 330, True),
    ("E1047", "Data", "Data Engineer", 400, False),
    ("E1048", "Security", "IAM Engineer", 640, True),
    ("E1049", "Service Desk", "Service Desk Analyst", 680, False),
    ("E1050", "Infrastructure", "Cloud Engineer", 380, True),
)
# id: (left, days from the start; voluntary?; regretted?). E1018 was the ERP's second expert.
LEAVERS = {
    "E0981": (-300, True, True),
    "E0984": (-210, True, True),
    "E0988": (-150, True, False),
    "E0990": (-120, True, True),
    "E0993": (-45, True, True),
    "E1019": (100, True, True),
    "E1006": (135, True, False),
    "E1018": (165, True, True),
    "E1026": (220, False, False),
    "E1023": (255, True, True),
    "E1028": (300, True, True),
    "E1032": (320, True, True),
    "E1040": (560, True, True),
    "E1009": (620, True, False),
}

# Service knowledge (SFIA level). Only one person is at level 3 or more on the ERP.
SERVICE_SKILLS = {
    "ERP": (("E1017", 5), ("E1045", 2), ("E1012", 2), ("E1014", 2)),
    "PAYROLL": (("E1021", 4), ("E1017", 3), ("E1042", 2)),
    "ECOM": (("E1014", 4), ("E1015", 3), ("E1016", 3), ("E1042", 3), ("E1020", 2)),
    "IDENTITY": (("E1041", 4), ("E1048", 3), ("E1038", 3), ("E1037", 3)),
    "CRM": (("E1015", 3), ("E1016", 3)),
    "WMS": (("E1016", 3), ("E1042", 2)),
    "DWH": (("E1031", 5), ("E1033", 4), ("E1034", 3), ("E1047", 3), ("E1035", 3), ("E1036", 2)),
    "MARTECH": (("E1035", 3), ("E1036", 3)),
    "M365": (("E1025", 4), ("E1027", 3), ("E1029", 2), ("E1044", 3)),
    "NETWORK": (("E1024", 4), ("E1046", 3), ("E1022", 3)),
    "ENDPOINT": (("E1003", 4), ("E1004", 3), ("E1005", 3), ("E1007", 2), ("E1043", 2)),
    "HRPORTAL": (("E1021", 4), ("E1016", 2)),
}
TEAM_SKILLS = {
    "IT Management": ("IT governance", "Relationship management", "Budgeting & forecasting"),
    "Service Desk": ("ITIL 4", "Customer service", "Windows & Intune"),
    "Applications": ("Java", "TypeScript", "ABAP", "Agile delivery", "Test automation"),
    "Infrastructure": ("Azure", "Kubernetes", "Networking", "Linux", "Terraform"),
    "Data": ("SQL", "Python", "Power BI", "Data modelling"),
    "Security": ("Security operations", "Entra ID", "Threat modelling", "ISO 27001"),
}

# (name, title, key) per business unit; the first listed leads the unit.
STAKEHOLDERS = {
    "Finance": (
        ("Katrin Vogel", "Chief Financial Officer", True),
        ("Thomas Berger", "Head of Accounting", True),
        ("Leonie Hartmann", "Head of Controlling", True),
        ("Jonas Krüger", "Treasury Manager", False),
        ("Miriam Schulte", "Accounts Payable Lead", False),
        ("Felix Brandt", "Financial Analyst", False),
        ("Sabine Koch", "Tax Manager", False),
    ),
    "Sales": (
        ("Daniel Richter", "Chief Sales Officer", True),
        ("Aylin Demir", "Head of E-commerce", True),
        ("Markus Weber", "Head of Field Sales", True),
        ("Julia Neumann", "Key Account Manager", False),
        ("Tobias Lang", "Sales Operations Manager", False),
        ("Nina Sommer", "Customer Service Lead", False),
        ("Patrick O'Neill", "E-commerce Manager", False),
    ),
    "Operations": (
        ("Ralf Zimmermann", "Chief Operating Officer", True),
        ("Anja Wolff", "Head of Warehousing", True),
        ("Stefan Braun", "Head of Transport & Logistics", True),
        ("Marco Schäfer", "Warehouse Manager Hamburg", False),
        ("Ines Kaya", "Dispatch Planner", False),
        ("Uwe Lorenz", "Site Manager Kassel", False),
        ("Petra Busch", "Procurement Lead", False),
    ),
    "HR": (
        ("Claudia Fischer", "Chief People Officer", True),
        ("Martin Roth", "Head of Payroll", True),
        ("Sarah Yilmaz", "HR Business Partner", False),
        ("Lukas Engel", "Talent Acquisition Lead", False),
        ("Eva Winter", "Learning & Development Manager", False),
        ("Kai Peters", "HR Systems Coordinator", False),
    ),
    "Marketing": (
        ("Laura Schmitt", "Chief Marketing Officer", True),
        ("Ben Hoffmann", "Head of Digital Marketing", True),
        ("Mia Krause", "Brand Manager", False),
        ("Sven Albrecht", "CRM & Loyalty Manager", False),
        ("Hanna Frank", "Content Lead", False),
        ("Omar Haddad", "Marketing Analyst", False),
    ),
}
RELATIONSHIP_OWNER = {
    "Finance": "E1002",
    "Sales": "E1002",
    "Operations": "E1012",
    "HR": "E1001",
    "Marketing": "E1031",
}

OBJECTIVES = (
    ("OBJ-01", "Close the books in five working days", "Finance"),
    ("OBJ-02", "Cut the cost to serve by 8 %", "Finance"),
    ("OBJ-03", "Grow online revenue to 30 % of sales", "Sales"),
    ("OBJ-04", "One view of the customer across channels", "Sales"),
    ("OBJ-05", "Same-day dispatch for 95 % of orders", "Operations"),
    ("OBJ-06", "Halve warehouse picking errors", "Operations"),
    ("OBJ-07", "Hire in under 40 days", "HR"),
    ("OBJ-08", "Payroll without manual corrections", "HR"),
    ("OBJ-09", "Double qualified leads from digital campaigns", "Marketing"),
    ("OBJ-10", "Launch the loyalty programme", "Marketing"),
    ("OBJ-11", "Zero-trust access for every employee", ""),
)
